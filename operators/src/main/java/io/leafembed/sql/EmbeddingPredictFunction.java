package io.leafembed.sql;

import io.leafembed.embed.TextInput;
import java.util.Collection;
import java.util.Optional;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.PredictFunction;

/**
 * The synchronous ML_PREDICT function of the {@code leaf-embed} provider ({@code 'async' =
 * 'false'}): one model run per row, in the task thread. Simple and ordered, but without batching
 * it embeds fewer rows per second than {@link EmbeddingAsyncPredictFunction}.
 */
public final class EmbeddingPredictFunction extends PredictFunction {

    private static final long serialVersionUID = 1L;

    private final EmbeddingSettings settings;
    private final EmbeddingColumn column;
    private transient EmbeddingInstance instance;

    EmbeddingPredictFunction(EmbeddingSettings settings, EmbeddingColumn column) {
        this.settings = settings;
        this.column = column;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        instance = EmbeddingInstance.open(settings, context.getMetricGroup(), false, "ML_PREDICT",
                context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public Collection<RowData> predict(RowData features) {
        String text = PredictRows.text(features);
        Optional<String> refusal = instance.refusal(text, instance.defaultRole());
        if (refusal.isPresent()) {
            return PredictRows.refused(instance, refusal.get(), text);
        }
        return PredictRows.embedded(instance, column, instance.embedNow(new TextInput(text, instance.defaultRole())),
                text);
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
