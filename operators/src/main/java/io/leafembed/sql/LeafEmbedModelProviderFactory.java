package io.leafembed.sql;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.MLPredictRuntimeConfigOptions;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.PredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.ml.PredictRuntimeProvider;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/**
 * The {@code leaf-embed} model provider for Flink SQL's ML_PREDICT: embeds a text column in-process
 * with ONNX Runtime, with the job's model, Matryoshka truncation and quantization.
 *
 * <pre>{@code
 * CREATE MODEL leaf INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>)
 * WITH ('provider' = 'leaf-embed', 'model.dir' = '/models/mdbr-leaf-mt',
 *       'embedding.truncate-dim' = '256', 'role' = 'query');
 * SELECT id, embedding FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text),
 *     MAP['max-concurrent-operations', '256']);
 * }</pre>
 *
 * <p>Everything that can be checked without the model is checked here, at planning time: unknown
 * options and bad values (Flink's helper and {@link EmbeddingSettings}, naming the key), one
 * STRING input column, one output column of the type the quantization gives ({@link
 * EmbeddingColumn}). What needs the model (its files, truncate-dim within its dims, the role's
 * prompt) is checked when each parallel instance opens it, failing the query without restarts.
 * The provider offers both forms: asynchronous with micro-batching (Flink picks it unless
 * ML_PREDICT's config says {@code 'async' = 'false'}) and synchronous.
 */
public final class LeafEmbedModelProviderFactory implements ModelProviderFactory {

    /** The {@code 'provider'} value of CREATE MODEL. */
    public static final String IDENTIFIER = "leaf-embed";

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();
        EmbeddingSettings settings = EmbeddingSettings.from(helper.getOptions(), "");
        String model = context.getObjectIdentifier().asSummaryString();
        Column input = singleColumn(context.getCatalogModel().getResolvedInputSchema(), "INPUT", model);
        if (!input.getDataType().getLogicalType().is(LogicalTypeFamily.CHARACTER_STRING)) {
            throw new ValidationException("leaf-embed: model " + model + " INPUT column '" + input.getName()
                    + "' must be STRING (the text to embed) but is "
                    + input.getDataType().getLogicalType().asSummaryString());
        }
        Column output = singleColumn(context.getCatalogModel().getResolvedOutputSchema(), "OUTPUT", model);
        EmbeddingColumn column = EmbeddingColumn.check(output.getDataType().getLogicalType(), settings.quantization(),
                "model " + model + " OUTPUT column '" + output.getName() + "'");
        int defaultInFlight = context.getConfiguration()
                .get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS);
        return new Provider(settings, column, defaultInFlight);
    }

    private static Column singleColumn(ResolvedSchema schema, String side, String model) {
        List<Column> columns = schema.getColumns();
        if (columns.size() != 1 || !columns.get(0).isPhysical()) {
            throw new ValidationException("leaf-embed: model " + model + " must have exactly one " + side
                    + " column (" + (side.equals("INPUT") ? "the text, STRING" : "the embedding, ARRAY<FLOAT> or BYTES")
                    + ") but has " + schema.getColumnNames());
        }
        return columns.get(0);
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return new LinkedHashSet<>(LeafEmbedOptions.ALL);
    }

    /**
     * Offers both function forms; the asynchronous one gets a window no larger than the rows
     * ML_PREDICT lets in flight ({@code max-concurrent-operations} of its config map, else {@code
     * table.exec.async-ml-predict.max-concurrent-operations}), so a window never waits for rows
     * that cannot come.
     */
    static final class Provider implements PredictRuntimeProvider, AsyncPredictRuntimeProvider {

        private final EmbeddingSettings settings;
        private final EmbeddingColumn column;
        private final int defaultInFlight;

        Provider(EmbeddingSettings settings, EmbeddingColumn column, int defaultInFlight) {
            this.settings = settings;
            this.column = column;
            this.defaultInFlight = defaultInFlight;
        }

        @Override
        public PredictFunction createPredictFunction(ModelProvider.Context context) {
            return new EmbeddingPredictFunction(settings, column);
        }

        @Override
        public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) {
            int inFlight = context.runtimeConfig()
                    .getOptional(MLPredictRuntimeConfigOptions.ASYNC_MAX_CONCURRENT_OPERATIONS)
                    .orElse(defaultInFlight);
            return new EmbeddingAsyncPredictFunction(settings.withWindowAtMost(inFlight), column);
        }

        @Override
        public ModelProvider copy() {
            return new Provider(settings, column, defaultInFlight);
        }
    }
}
