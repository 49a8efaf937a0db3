package io.leafembed.sql;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AsyncScalarFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.table.types.inference.InputTypeStrategies;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/**
 * EMBED(text) and EMBED(text, role) for Flink SQL: an asynchronous scalar function whose rows go
 * through the same {@link MicroBatcher} as the {@code leaf-embed} model provider, so a query gets
 * length-sorted batches rather than one model run per row.
 *
 * <p>Created by reflection ({@code CREATE FUNCTION embed AS '...'}), it is configured from the
 * session: the provider's options with the prefix {@code leaf-embed.} ({@code SET
 * 'leaf-embed.model.dir' = '/models/mdbr-leaf-mt'}). Flink hands the session configuration to
 * {@link #specialize} while it plans the query, so a bad key or value fails the statement, and
 * the settings travel with the planned function to every parallel instance. A function's SQL
 * type is fixed before the session configuration is visible to it, so the class decides it:
 * {@link EmbedFunction} returns ARRAY&lt;FLOAT&gt; (float32), {@link EmbedCodesFunction} returns
 * BYTES (int8, uint8, binary, ubinary); planning refuses a class that does not fit {@code
 * leaf-embed.embedding.quantization}, naming the one that does.
 */
public abstract class EmbedScalarFunction extends AsyncScalarFunction implements SpecializedFunction {

    private static final long serialVersionUID = 1L;

    private final EmbeddingColumn column;
    /** Null until {@link #specialize} has read the session's settings. */
    private final EmbeddingSettings settings;
    private transient EmbeddingInstance instance;

    EmbedScalarFunction(EmbeddingColumn column, EmbeddingSettings settings) {
        this.column = column;
        this.settings = settings;
    }

    /** A copy of this function carrying {@code settings} (what {@link #specialize} returns). */
    abstract EmbedScalarFunction withSettings(EmbeddingSettings settings);

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .inputTypeStrategy(InputTypeStrategies.or(
                        InputTypeStrategies.sequence(List.of("text"),
                                List.of(InputTypeStrategies.logical(LogicalTypeFamily.CHARACTER_STRING))),
                        InputTypeStrategies.sequence(List.of("text", "role"), List.of(
                                InputTypeStrategies.logical(LogicalTypeFamily.CHARACTER_STRING),
                                InputTypeStrategies.logical(LogicalTypeFamily.CHARACTER_STRING)))))
                .outputTypeStrategy(TypeStrategies.explicit(column.dataType()))
                .build();
    }

    /** Never evaluated while planning: that would load a model in the client. */
    @Override
    public boolean supportsConstantFolding() {
        return false;
    }

    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        EmbeddingSettings read = settingsFrom(context.getConfiguration());
        EmbeddingColumn needed = EmbeddingColumn.of(read.quantization());
        if (needed != column) {
            String fitting = (needed == EmbeddingColumn.BYTES ? EmbedCodesFunction.class : EmbedFunction.class).getName();
            throw new ValidationException("leaf-embed: 'leaf-embed.embedding.quantization' is "
                    + read.quantization().id() + ", which gives " + (needed == EmbeddingColumn.BYTES
                            ? "BYTES codes" : "ARRAY<FLOAT> vectors")
                    + ", but " + getClass().getName() + " returns " + (column == EmbeddingColumn.BYTES
                            ? "BYTES" : "ARRAY<FLOAT>")
                    + ": register the function as '" + fitting + "' or change the quantization");
        }
        int inFlight = context.getConfiguration()
                .get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_MAX_CONCURRENT_OPERATIONS);
        return withSettings(read.withWindowAtMost(inFlight));
    }

    /**
     * The {@code leaf-embed.*} keys of the session, checked: unknown keys are refused by name.
     *
     * @throws org.apache.flink.table.api.ValidationException naming the key that breaks a rule
     */
    public static EmbeddingSettings settingsFrom(ReadableConfig session) {
        Map<String, String> own = new HashMap<>();
        session.toMap().forEach((key, value) -> {
            if (key.startsWith(LeafEmbedOptions.FUNCTION_PREFIX)) {
                own.put(key.substring(LeafEmbedOptions.FUNCTION_PREFIX.length()), value);
            }
        });
        Set<String> known = LeafEmbedOptions.ALL.stream()
                .flatMap(o -> Stream.concat(Stream.of(o.key()),
                        StreamSupport.stream(o.fallbackKeys().spliterator(), false).map(f -> f.getKey())))
                .collect(Collectors.toSet());
        Set<String> unknown = new TreeSet<>(own.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ValidationException("leaf-embed: unknown option(s) "
                    + unknown.stream().map(k -> "'" + LeafEmbedOptions.FUNCTION_PREFIX + k + "'")
                            .collect(Collectors.joining(", "))
                    + " for EMBED(); valid keys are " + LeafEmbedOptions.ALL.stream().map(ConfigOption::key)
                            .map(k -> LeafEmbedOptions.FUNCTION_PREFIX + k).collect(Collectors.joining(", ")));
        }
        return EmbeddingSettings.from(Configuration.fromMap(own), LeafEmbedOptions.FUNCTION_PREFIX);
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        if (settings == null) {
            throw new IllegalStateException("leaf-embed: EMBED() was not specialized by the planner, so it has"
                    + " no settings; call it from Flink SQL or the Table API");
        }
        instance = EmbeddingInstance.open(settings, context.getMetricGroup(), true, "EMBED()",
                context.getTaskInfo().getIndexOfThisSubtask());
    }

    /** EMBED(text): the text with the default role ({@code leaf-embed.role}, document unless set). */
    public void eval(CompletableFuture<Object> result, String text) {
        eval(result, text, null);
    }

    /** EMBED(text, role): a NULL role means the default role. */
    public void eval(CompletableFuture<Object> result, String text, String role) {
        String effectiveRole = role != null ? role : instance.defaultRole();
        Optional<String> refusal = instance.refusal(text, effectiveRole);
        if (refusal.isPresent()) {
            refuse(result, refusal.get(), text);
            return;
        }
        instance.submit(new TextInput(text, effectiveRole)).whenComplete((outcome, fault) -> {
            if (fault != null) {
                result.completeExceptionally(fault);
            } else {
                complete(result, outcome, text);
            }
        });
    }

    private void complete(CompletableFuture<Object> result, Embedder.Outcome outcome, String text) {
        if (outcome.failed()) {
            refuse(result, "embedding failed for this text alone: " + outcome.failure(), text);
            return;
        }
        instance.embedded(outcome.embedding().truncated());
        result.complete(column.toInternal(outcome.embedding()));
    }

    /** A scalar function cannot drop its row: ignore and null both return NULL. */
    private void refuse(CompletableFuture<Object> result, String reason, String text) {
        try {
            instance.refused(reason, text);
            result.complete(null);
        } catch (RefusedTextException e) {
            result.completeExceptionally(e);
        }
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
