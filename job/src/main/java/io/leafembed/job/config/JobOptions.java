package io.leafembed.job.config;

import java.util.List;

/**
 * Every configuration key of the leaf-embed job, declared once. The README's configuration
 * table lists the same keys; {@code java -jar leaf-embed-job.jar --help} prints them.
 */
public final class JobOptions {

    private JobOptions() {}

    // ---- model
    public static final ConfigKey<String> MODEL_DIR = ConfigKey.string("model.dir", null,
            "A sentence-transformers model directory (e.g. a downloaded MongoDB/mdbr-leaf-mt).");
    public static final ConfigKey<String> MODEL_ONNX_VARIANT = ConfigKey.string("model.onnx-variant", null,
            "Which graph under the directory's onnx/: a file name or fp32, fp16, int8, q4, q4f16"
                    + " (default model.onnx).");
    public static final ConfigKey<String> MODEL_ONNX_FILE = ConfigKey.string("model.onnx-file", null,
            "A bare ONNX graph instead of a directory (needs model.tokenizer-file).");
    public static final ConfigKey<String> MODEL_TOKENIZER_FILE = ConfigKey.string("model.tokenizer-file", null,
            "The tokenizer.json of a bare ONNX graph.");
    public static final ConfigKey<String> MODEL_ID = ConfigKey.string("model.id", null,
            "The model id written with each embedding (default: the directory or file name).");
    public static final ConfigKey<Integer> MODEL_MAX_LENGTH = ConfigKey.integer("model.max-length", null, 3, 512,
            "Max tokens per text incl. [CLS]/[SEP]; longer texts are truncated (default: the model's"
                    + " max_seq_length; 256 for the bundled model).");
    public static final ConfigKey<String> MODEL_POOLING = ConfigKey.choice("model.pooling", null,
            "Pooling override (default: 1_Pooling/config.json; mean for a bare graph).",
            "mean", "cls", "max", "mean_sqrt_len_tokens", "lasttoken");
    public static final ConfigKey<String> MODEL_QUERY_PROMPT = ConfigKey.string("model.query-prompt", null,
            "Prefix for texts with role query (default: the model's query prompt).");
    public static final ConfigKey<String> MODEL_DOCUMENT_PROMPT = ConfigKey.string("model.document-prompt", null,
            "Prefix for texts with role document (default: the model's document prompt, usually none).");

    // ---- embedding
    public static final ConfigKey<Integer> EMBEDDING_TRUNCATE_DIM = ConfigKey.integer("embedding.truncate-dim",
            null, 1, 65536, "Matryoshka truncation to this many dims, then re-normalized (default: all).");
    public static final ConfigKey<String> EMBEDDING_QUANTIZATION = ConfigKey.choice("embedding.quantization",
            "float32", "Output precision, with sentence-transformers' semantics.",
            "float32", "int8", "uint8", "binary", "ubinary");
    public static final ConfigKey<Boolean> EMBEDDING_NORMALIZE = ConfigKey.bool("embedding.normalize", true,
            "L2-normalize the vectors.");
    public static final ConfigKey<String> EMBEDDING_EMPTY_TEXT = ConfigKey.choice("embedding.empty-text",
            "reject", "Empty or whitespace-only text: reject (dead letter) or embed.", "reject", "embed");

    // ---- runtime
    public static final ConfigKey<Integer> RUNTIME_PARALLELISM = ConfigKey.integer("runtime.parallelism", null,
            1, 4096, "Parallelism of the job (default: 1 for a local run, the cluster's default otherwise).");
    public static final ConfigKey<Integer> RUNTIME_INTRA_OP_THREADS = ConfigKey.integer(
            "runtime.intra-op-threads", null, 1, 1024,
            "ONNX Runtime threads per session (default: cores / parallelism for a local run, 1 on a"
                    + " cluster, where a slot is a core).");
    public static final ConfigKey<Integer> RUNTIME_INTER_OP_THREADS = ConfigKey.integer(
            "runtime.inter-op-threads", 1, 1, 1024, "ONNX Runtime inter-op threads per session.");
    public static final ConfigKey<String> RUNTIME_GRAPH_OPTIMIZATION = ConfigKey.choice(
            "runtime.graph-optimization", "all", "ONNX Runtime graph optimization level.",
            "none", "basic", "extended", "all");
    public static final ConfigKey<Boolean> RUNTIME_CUDA = ConfigKey.bool("runtime.cuda", false,
            "Run on CUDA (needs onnxruntime_gpu and a GPU; fails at startup otherwise).");

    // ---- batching
    public static final ConfigKey<Integer> BATCHING_WINDOW_SIZE = ConfigKey.integer("batching.window-size", 256,
            1, 1_000_000, "Records gathered before embedding; sorted by length and cut into batches.");
    public static final ConfigKey<Integer> BATCHING_MAX_WAIT_MS = ConfigKey.integer("batching.max-wait-ms", 50,
            0, 600_000, "Longest time the first record of a window waits for more (ms).");
    public static final ConfigKey<Integer> BATCHING_MAX_BATCH_SIZE = ConfigKey.integer(
            "batching.max-batch-size", 32, 1, 4096, "Most texts in one model run.");
    public static final ConfigKey<Integer> BATCHING_MAX_BATCH_TOKENS = ConfigKey.integer(
            "batching.max-batch-tokens", 16_384, 512, 1 << 24,
            "Most padded token positions (longest text x texts) in one model run.");
    public static final ConfigKey<Integer> BATCHING_CACHE_SIZE = ConfigKey.integer("batching.cache-size", 0,
            0, 10_000_000, "Embeddings cached per slot by role and text (0: no cache).");

    // ---- input
    public static final ConfigKey<String> INPUT_FILE = ConfigKey.string("input.file", null,
            "Local run: the input file, or - for standard input.");
    public static final ConfigKey<String> INPUT_FORMAT = ConfigKey.choice("input.format", "auto",
            "text (one text per line, id = line number from 1), jsonl (one JSON object per line), or"
                    + " auto (jsonl for .jsonl/.ndjson/.json files, text otherwise).",
            "auto", "text", "jsonl");
    public static final ConfigKey<String> INPUT_ID_FIELD = ConfigKey.string("input.id-field", "id",
            "JSON field holding the record id (missing: the line number or source position).");
    public static final ConfigKey<String> INPUT_TEXT_FIELD = ConfigKey.string("input.text-field", "text",
            "JSON field holding the text to embed.");
    public static final ConfigKey<String> INPUT_ROLE_FIELD = ConfigKey.string("input.role-field", "role",
            "JSON field holding the role (query, document or another prompt name).");
    public static final ConfigKey<String> INPUT_DEFAULT_ROLE = ConfigKey.string("input.default-role", "document",
            "Role of records without one.");
    public static final ConfigKey<Integer> INPUT_MAX_TEXT_BYTES = ConfigKey.integer("input.max-text-bytes",
            1 << 20, 1, Integer.MAX_VALUE, "Texts longer than this many UTF-8 bytes go to the dead letters.");

    // ---- output
    public static final ConfigKey<String> OUTPUT_FILE = ConfigKey.string("output.file", "-",
            "Local run: where the JSON lines go (- for standard output).");
    public static final ConfigKey<String> OUTPUT_DEAD_LETTER_FILE = ConfigKey.string("output.dead-letter-file",
            null, "Local run: where dead letters go as JSON lines (default: standard error).");
    public static final ConfigKey<String> OUTPUT_ENCODING = ConfigKey.choice("output.encoding", "json",
            "json: the vector (or codes) as a JSON array; base64: the packed bytes (float32 little-endian).",
            "json", "base64");
    public static final ConfigKey<String> OUTPUT_EMBEDDING_FIELD = ConfigKey.string("output.embedding-field",
            "embedding", "Field of the output record that holds the embedding and its metadata.");

    /** All keys, in documentation order. */
    public static final List<ConfigKey<?>> ALL = List.of(
            MODEL_DIR, MODEL_ONNX_VARIANT, MODEL_ONNX_FILE, MODEL_TOKENIZER_FILE, MODEL_ID, MODEL_MAX_LENGTH,
            MODEL_POOLING, MODEL_QUERY_PROMPT, MODEL_DOCUMENT_PROMPT,
            EMBEDDING_TRUNCATE_DIM, EMBEDDING_QUANTIZATION, EMBEDDING_NORMALIZE, EMBEDDING_EMPTY_TEXT,
            RUNTIME_PARALLELISM, RUNTIME_INTRA_OP_THREADS, RUNTIME_INTER_OP_THREADS, RUNTIME_GRAPH_OPTIMIZATION,
            RUNTIME_CUDA,
            BATCHING_WINDOW_SIZE, BATCHING_MAX_WAIT_MS, BATCHING_MAX_BATCH_SIZE, BATCHING_MAX_BATCH_TOKENS,
            BATCHING_CACHE_SIZE,
            INPUT_FILE, INPUT_FORMAT, INPUT_ID_FIELD, INPUT_TEXT_FIELD, INPUT_ROLE_FIELD, INPUT_DEFAULT_ROLE,
            INPUT_MAX_TEXT_BYTES,
            OUTPUT_FILE, OUTPUT_DEAD_LETTER_FILE, OUTPUT_ENCODING, OUTPUT_EMBEDDING_FIELD);
}
