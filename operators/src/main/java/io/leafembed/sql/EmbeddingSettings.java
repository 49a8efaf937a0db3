package io.leafembed.sql;

import static io.leafembed.sql.LeafEmbedOptions.*;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.function.BatchingOptions;
import io.leafembed.inference.SessionSettings;
import io.leafembed.model.BundledModel;
import io.leafembed.pooling.PoolingMode;
import io.leafembed.postprocess.Quantization;
import io.leafembed.tokenize.PromptTemplates;
import io.leafembed.tokenize.TextTokenizer;
import java.io.Serializable;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * The {@link LeafEmbedOptions} of one model or function, read and checked at planning time and
 * shipped with the function to every parallel instance: the Embedder's options, the batching
 * window, the default role, the text size limit and the error policy. Every rule names the key,
 * the rule and the value given.
 */
public record EmbeddingSettings(
        EmbedderOptions embedder,
        BatchingOptions batching,
        String role,
        int maxTextBytes,
        ErrorHandlingStrategy errorHandling) implements Serializable {

    /**
     * Reads the options from {@code config} (keys without a prefix).
     *
     * @param prefix how the keys are spelled to the user ("" for CREATE MODEL, "leaf-embed." for
     *     EMBED()), for the messages
     * @throws ValidationException naming the key when a value breaks a rule
     */
    public static EmbeddingSettings from(ReadableConfig config, String prefix) {
        try {
            return read(config, prefix);
        } catch (IllegalArgumentException e) {
            // a typed option that does not parse: Flink's message names the key
            throw new ValidationException("leaf-embed: " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getCause() != null && e.getCause().getMessage() != null
                ? message + " (" + e.getCause().getMessage() + ")" : message;
    }

    private static EmbeddingSettings read(ReadableConfig c, String prefix) {
        EmbedderOptions.Builder b = EmbedderOptions.builder();
        boolean dir = c.getOptional(MODEL_DIR).isPresent();
        boolean onnx = c.getOptional(MODEL_ONNX_FILE).isPresent();
        boolean tokenizer = c.getOptional(MODEL_TOKENIZER_FILE).isPresent();
        if (dir && (onnx || tokenizer)) {
            throw invalid(prefix, MODEL_DIR, "and '" + prefix + MODEL_ONNX_FILE.key() + "'/'" + prefix
                    + MODEL_TOKENIZER_FILE.key() + "' exclude each other: give a model directory or a bare"
                    + " ONNX + tokenizer pair");
        }
        if (onnx != tokenizer) {
            throw invalid(prefix, MODEL_ONNX_FILE, "and '" + prefix + MODEL_TOKENIZER_FILE.key()
                    + "' go together: set both");
        }
        if (c.getOptional(MODEL_ONNX_VARIANT).isPresent() && !dir) {
            throw invalid(prefix, MODEL_ONNX_VARIANT, "picks a graph under '" + prefix + MODEL_DIR.key()
                    + "': set it or drop the variant");
        }
        if (dir) {
            b.modelDir(Path.of(c.get(MODEL_DIR))).onnxVariant(c.get(MODEL_ONNX_VARIANT));
        } else if (onnx) {
            b.onnxFile(Path.of(c.get(MODEL_ONNX_FILE))).tokenizerFile(Path.of(c.get(MODEL_TOKENIZER_FILE)))
                    .pooling(PoolingMode.MEAN);
        } else {
            BundledModel.select(b);
        }
        c.getOptional(MODEL_POOLING).ifPresent(p -> {
            try {
                b.pooling(PoolingMode.fromId(p));
            } catch (IllegalArgumentException e) {
                throw invalid(prefix, MODEL_POOLING, "must be mean, cls, max, mean_sqrt_len_tokens or"
                        + " lasttoken but was '" + p + "'");
            }
        });
        c.getOptional(MODEL_ID).ifPresent(b::modelId);
        c.getOptional(MODEL_MAX_LENGTH).ifPresent(n -> b.maxLength(inRange(prefix, MODEL_MAX_LENGTH, n, 3,
                TextTokenizer.MAX_SUPPORTED_LENGTH)));
        c.getOptional(MODEL_QUERY_PROMPT).ifPresent(p -> b.prompt(PromptTemplates.QUERY, p));
        c.getOptional(MODEL_DOCUMENT_PROMPT).ifPresent(p -> b.prompt(PromptTemplates.DOCUMENT, p));
        c.getOptional(EMBEDDING_TRUNCATE_DIM).ifPresent(n -> b.truncateDim(inRange(prefix, EMBEDDING_TRUNCATE_DIM,
                n, 1, 65_536)));
        Quantization quantization = c.get(EMBEDDING_QUANTIZATION);
        String ranges = c.get(EMBEDDING_RANGES);
        if (!ranges.equalsIgnoreCase("card")) {
            throw invalid(prefix, EMBEDDING_RANGES, "must be card in SQL (calibrated ranges need the job's"
                    + " checkpointed state) but was '" + ranges + "'");
        }
        b.quantization(quantization)
                .normalize(c.getOptional(EMBEDDING_NORMALIZE).orElse(null))
                .emptyText(c.get(EMBEDDING_EMPTY_TEXT))
                .session(new SessionSettings(
                        inRange(prefix, RUNTIME_INTRA_OP_THREADS, c.get(RUNTIME_INTRA_OP_THREADS), 1, 1024),
                        inRange(prefix, RUNTIME_INTER_OP_THREADS, c.get(RUNTIME_INTER_OP_THREADS), 1, 1024),
                        c.get(RUNTIME_GRAPH_OPTIMIZATION), c.get(RUNTIME_CUDA), 0,
                        inRange(prefix, RUNTIME_PARALLEL_RUNS, c.get(RUNTIME_PARALLEL_RUNS), 1, 1024)))
                .maxBatchSize(inRange(prefix, BATCHING_MAX_BATCH_SIZE, c.get(BATCHING_MAX_BATCH_SIZE), 1, 4096))
                .maxBatchTokens(inRange(prefix, BATCHING_MAX_BATCH_TOKENS, c.get(BATCHING_MAX_BATCH_TOKENS),
                        TextTokenizer.MAX_SUPPORTED_LENGTH, 1 << 24));
        BatchingOptions batching = new BatchingOptions(
                inRange(prefix, BATCHING_WINDOW_SIZE, c.get(BATCHING_WINDOW_SIZE), 1, 1_000_000),
                inRange(prefix, BATCHING_MAX_WAIT_MS, c.get(BATCHING_MAX_WAIT_MS), 0, 600_000));
        String role = c.get(ROLE);
        if (role.isBlank()) {
            throw invalid(prefix, ROLE, "must name a prompt (query, document, ...) but was blank");
        }
        int maxTextBytes = inRange(prefix, INPUT_MAX_TEXT_BYTES, c.get(INPUT_MAX_TEXT_BYTES), 1, Integer.MAX_VALUE);
        EmbedderOptions options;
        try {
            options = b.build();
        } catch (IllegalArgumentException e) {
            throw new ValidationException("leaf-embed: invalid model settings: " + e.getMessage(), e);
        }
        return new EmbeddingSettings(options, batching, role, maxTextBytes, c.get(ERROR_HANDLING_STRATEGY));
    }

    /** These settings with the batching window capped at {@code maxInFlight} rows. */
    public EmbeddingSettings withWindowAtMost(int maxInFlight) {
        if (batching.windowSize() <= maxInFlight) {
            return this;
        }
        return new EmbeddingSettings(embedder, new BatchingOptions(Math.max(1, maxInFlight), batching.maxWaitMillis()),
                role, maxTextBytes, errorHandling);
    }

    public Quantization quantization() {
        return embedder.quantization();
    }

    private static int inRange(String prefix, ConfigOption<Integer> key, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(prefix, key, "must be in [" + min + ", " + max + "] but was " + value);
        }
        return value;
    }

    private static ValidationException invalid(String prefix, ConfigOption<?> key, String rule) {
        return new ValidationException("leaf-embed: '" + prefix + key.key() + "' " + rule);
    }
}
