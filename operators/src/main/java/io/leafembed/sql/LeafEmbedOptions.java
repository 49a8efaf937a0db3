package io.leafembed.sql;

import io.leafembed.embed.EmptyTextPolicy;
import io.leafembed.inference.GraphOptimization;
import io.leafembed.postprocess.Quantization;
import io.leafembed.tokenize.PromptTemplates;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of the {@code leaf-embed} model provider ({@code CREATE MODEL ... WITH (...)}) and,
 * under the prefix {@code leaf-embed.}, of EMBED() ({@code SET 'leaf-embed.model.dir' = ...}).
 * The keys and meanings are the job's (see the job's JobOptions and the README's configuration
 * table); the job keys that make no sense for one SQL call (Kafka, files, calibrated ranges, a
 * model per role, the cache) are not accepted. Two keys are SQL-only: {@link #ROLE} and {@link
 * #ERROR_HANDLING_STRATEGY}.
 */
public final class LeafEmbedOptions {

    /** EMBED() reads its settings from the session configuration under this prefix. */
    public static final String FUNCTION_PREFIX = "leaf-embed.";

    private LeafEmbedOptions() {}

    // ---- model
    public static final ConfigOption<String> MODEL_DIR = ConfigOptions.key("model.dir").stringType()
            .noDefaultValue().withDescription("A sentence-transformers model directory (e.g. a downloaded"
                    + " MongoDB/mdbr-leaf-mt) on every TaskManager. Without it (and without model.onnx-file)"
                    + " the int8 all-MiniLM-L6-v2 bundled in the leaf-embed job jar is used.");
    public static final ConfigOption<String> MODEL_ONNX_VARIANT = ConfigOptions.key("model.onnx-variant")
            .stringType().noDefaultValue().withDescription("Which graph under the directory's onnx/: a file"
                    + " name or fp32, fp16, int8, q4, q4f16 (default model.onnx).");
    public static final ConfigOption<String> MODEL_ONNX_FILE = ConfigOptions.key("model.onnx-file").stringType()
            .noDefaultValue().withDescription("A bare ONNX graph instead of a directory (needs model.tokenizer-file).");
    public static final ConfigOption<String> MODEL_TOKENIZER_FILE = ConfigOptions.key("model.tokenizer-file")
            .stringType().noDefaultValue().withDescription("The tokenizer.json of a bare ONNX graph.");
    public static final ConfigOption<String> MODEL_ID = ConfigOptions.key("model.id").stringType()
            .noDefaultValue().withDescription("The model id reported in logs (default: the directory or file name).");
    public static final ConfigOption<Integer> MODEL_MAX_LENGTH = ConfigOptions.key("model.max-length").intType()
            .noDefaultValue().withDescription("Max tokens per text incl. [CLS]/[SEP], 3..512; longer texts are"
                    + " truncated (default: the model's max_seq_length; 256 for the bundled model).");
    public static final ConfigOption<String> MODEL_POOLING = ConfigOptions.key("model.pooling").stringType()
            .noDefaultValue().withDescription("Pooling override: mean, cls, max, mean_sqrt_len_tokens, lasttoken"
                    + " (default: 1_Pooling/config.json; mean for a bare graph).");
    public static final ConfigOption<String> MODEL_QUERY_PROMPT = ConfigOptions.key("model.query-prompt")
            .stringType().noDefaultValue().withDescription("Prefix for role query (default: the model's).");
    public static final ConfigOption<String> MODEL_DOCUMENT_PROMPT = ConfigOptions.key("model.document-prompt")
            .stringType().noDefaultValue().withDescription("Prefix for role document (default: the model's, usually none).");

    // ---- embedding
    public static final ConfigOption<Integer> EMBEDDING_TRUNCATE_DIM = ConfigOptions.key("embedding.truncate-dim")
            .intType().noDefaultValue().withDescription("Matryoshka truncation to this many dims, then"
                    + " re-normalized (default: all the model's dims).");
    public static final ConfigOption<Quantization> EMBEDDING_QUANTIZATION = ConfigOptions
            .key("embedding.quantization").enumType(Quantization.class).defaultValue(Quantization.FLOAT32)
            .withDescription("Output precision with sentence-transformers' semantics: float32 (an ARRAY<FLOAT>"
                    + " column), or int8, uint8, binary, ubinary (a BYTES column of packed codes).");
    public static final ConfigOption<String> EMBEDDING_RANGES = ConfigOptions.key("embedding.ranges").stringType()
            .defaultValue("card").withDescription("int8/uint8 ranges: card ([-1, 1] per dim). The job's"
                    + " 'calibrate' needs state across records and is not available in SQL.");
    public static final ConfigOption<Boolean> EMBEDDING_NORMALIZE = ConfigOptions.key("embedding.normalize")
            .booleanType().noDefaultValue().withDescription("L2-normalize (and re-normalize after truncation):"
                    + " true or false (default: the model's modules.json, as sentence-transformers).");
    public static final ConfigOption<EmptyTextPolicy> EMBEDDING_EMPTY_TEXT = ConfigOptions
            .key("embedding.empty-text").enumType(EmptyTextPolicy.class).defaultValue(EmptyTextPolicy.REJECT)
            .withDescription("Empty or whitespace-only text: reject (handled by error-handling-strategy) or embed.");

    // ---- runtime
    public static final ConfigOption<Integer> RUNTIME_INTRA_OP_THREADS = ConfigOptions
            .key("runtime.intra-op-threads").intType().defaultValue(1)
            .withDescription("ONNX Runtime threads per session (one session per parallel instance).");
    public static final ConfigOption<Integer> RUNTIME_PARALLEL_RUNS = ConfigOptions
            .key("runtime.parallel-runs").intType().defaultValue(1)
            .withDescription("Model runs (batches of a window) one parallel instance executes at once on its"
                    + " session, each with runtime.intra-op-threads threads; keep runs x intra-op threads x"
                    + " slots <= the TaskManager's cores.");
    public static final ConfigOption<Integer> RUNTIME_INTER_OP_THREADS = ConfigOptions
            .key("runtime.inter-op-threads").intType().defaultValue(1)
            .withDescription("ONNX Runtime inter-op threads per session.");
    public static final ConfigOption<GraphOptimization> RUNTIME_GRAPH_OPTIMIZATION = ConfigOptions
            .key("runtime.graph-optimization").enumType(GraphOptimization.class).defaultValue(GraphOptimization.AUTO)
            .withDescription("ONNX Runtime graph optimization level: auto (all for an int8 graph, with its"
                    + " layer norms kept decomposed, up to 22% faster; basic for other graphs on CPU with one"
                    + " intra-op thread, where it ran up to 12% faster; all with several threads or on CUDA),"
                    + " none, basic, extended, all.");
    public static final ConfigOption<Boolean> RUNTIME_CUDA = ConfigOptions.key("runtime.cuda").booleanType()
            .defaultValue(false).withDescription("Run on CUDA (needs onnxruntime_gpu and a GPU).");

    // ---- batching
    public static final ConfigOption<Integer> BATCHING_WINDOW_SIZE = ConfigOptions.key("batching.window-size")
            .intType().defaultValue(256).withDescription("Rows gathered before the model runs; sorted by length"
                    + " and cut into batches. Async only; capped at the async operator's"
                    + " max-concurrent-operations (no more rows can be in flight).");
    public static final ConfigOption<Integer> BATCHING_MAX_WAIT_MS = ConfigOptions.key("batching.max-wait-ms")
            .intType().defaultValue(50).withDescription("Longest time the first row of a window waits for more (ms).");
    public static final ConfigOption<Integer> BATCHING_MAX_BATCH_SIZE = ConfigOptions.key("batching.max-batch-size")
            .intType().defaultValue(32).withDescription("Most texts in one model run.");
    public static final ConfigOption<Integer> BATCHING_MAX_BATCH_TOKENS = ConfigOptions
            .key("batching.max-batch-tokens").intType().defaultValue(16_384)
            .withDescription("Most padded token positions (longest text x texts) in one model run.");

    // ---- input
    public static final ConfigOption<Integer> INPUT_MAX_TEXT_BYTES = ConfigOptions.key("input.max-text-bytes")
            .intType().defaultValue(1 << 20).withDescription("Texts longer than this many UTF-8 bytes are"
                    + " refused (handled by error-handling-strategy).");
    public static final ConfigOption<String> ROLE = ConfigOptions.key("role").stringType()
            .defaultValue(PromptTemplates.DOCUMENT).withFallbackKeys("input.default-role")
            .withDescription("The role (prompt) of every text: query, document or another prompt name of the"
                    + " model. EMBED(text, role) overrides it per call.");

    // ---- errors
    public static final ConfigOption<ErrorHandlingStrategy> ERROR_HANDLING_STRATEGY = ConfigOptions
            .key("error-handling-strategy").enumType(ErrorHandlingStrategy.class)
            .defaultValue(ErrorHandlingStrategy.IGNORE)
            .withDescription("What happens to a row the model refuses (NULL, empty or oversized text, unknown"
                    + " role, a text the model fails on alone): failover, ignore or null.");

    /** Every option, in documentation order. */
    public static final List<ConfigOption<?>> ALL = List.of(
            MODEL_DIR, MODEL_ONNX_VARIANT, MODEL_ONNX_FILE, MODEL_TOKENIZER_FILE, MODEL_ID, MODEL_MAX_LENGTH,
            MODEL_POOLING, MODEL_QUERY_PROMPT, MODEL_DOCUMENT_PROMPT,
            EMBEDDING_TRUNCATE_DIM, EMBEDDING_QUANTIZATION, EMBEDDING_RANGES, EMBEDDING_NORMALIZE,
            EMBEDDING_EMPTY_TEXT,
            RUNTIME_INTRA_OP_THREADS, RUNTIME_PARALLEL_RUNS, RUNTIME_INTER_OP_THREADS, RUNTIME_GRAPH_OPTIMIZATION,
            RUNTIME_CUDA, BATCHING_WINDOW_SIZE, BATCHING_MAX_WAIT_MS, BATCHING_MAX_BATCH_SIZE, BATCHING_MAX_BATCH_TOKENS,
            INPUT_MAX_TEXT_BYTES, ROLE, ERROR_HANDLING_STRATEGY);
}
