package io.leafembed.sql;

import io.leafembed.embed.TextInput;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * The asynchronous ML_PREDICT function of the {@code leaf-embed} provider (the default): each row
 * goes to the instance's {@link MicroBatcher}, which embeds windows of rows in length-sorted
 * batches and completes each row's future. The window holds at most as many rows as ML_PREDICT's
 * {@code max-concurrent-operations} lets into the function at once (Flink's default is 10): set it
 * to the window size (e.g. 256) to get full batches.
 */
public final class EmbeddingAsyncPredictFunction extends AsyncPredictFunction {

    private static final long serialVersionUID = 1L;

    private final EmbeddingSettings settings;
    private final EmbeddingColumn column;
    private transient EmbeddingInstance instance;

    EmbeddingAsyncPredictFunction(EmbeddingSettings settings, EmbeddingColumn column) {
        this.settings = settings;
        this.column = column;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        instance = EmbeddingInstance.open(settings, context.getMetricGroup(), true, "ML_PREDICT",
                context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData features) {
        String text = PredictRows.text(features);
        String role = instance.defaultRole();
        Optional<String> refusal = instance.refusal(text, role);
        if (refusal.isPresent()) {
            try {
                return CompletableFuture.completedFuture(PredictRows.refused(instance, refusal.get(), text));
            } catch (RefusedTextException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return instance.submit(new TextInput(text, role))
                .thenApply(outcome -> PredictRows.embedded(instance, column, outcome, text));
    }

    @Override
    public void close() throws Exception {
        try {
            if (instance != null) {
                instance.close();
                instance = null;
            }
        } finally {
            super.close();
        }
    }
}
