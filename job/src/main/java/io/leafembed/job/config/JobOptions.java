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

    public static final ConfigKey<String> MODEL_QUERY_DIR = ConfigKey.string("model.query.dir", null,
            "Asymmetric retrieval: a separate model directory for role query (e.g. mdbr-leaf-mt, with"
                    + " documents on an aligned model such as mxbai-embed-large-v1); dims must match.");
    public static final ConfigKey<String> MODEL_QUERY_ONNX_VARIANT = ConfigKey.string("model.query.onnx-variant",
            null, "The graph under model.query.dir's onnx/ (default model.onnx).");
    public static final ConfigKey<String> MODEL_DOCUMENT_DIR = ConfigKey.string("model.document.dir", null,
            "A separate model directory for role document (default: the main model).");
    public static final ConfigKey<String> MODEL_DOCUMENT_ONNX_VARIANT = ConfigKey.string(
            "model.document.onnx-variant", null, "The graph under model.document.dir's onnx/ (default model.onnx).");

    // ---- embedding
    public static final ConfigKey<Integer> EMBEDDING_TRUNCATE_DIM = ConfigKey.integer("embedding.truncate-dim",
            null, 1, 65536, "Matryoshka truncation to this many dims, then re-normalized (default: all).");
    public static final ConfigKey<String> EMBEDDING_QUANTIZATION = ConfigKey.choice("embedding.quantization",
            "float32", "Output precision, with sentence-transformers' semantics.",
            "float32", "int8", "uint8", "binary", "ubinary");
    public static final ConfigKey<String> EMBEDDING_RANGES = ConfigKey.choice("embedding.ranges", "card",
            "int8/uint8 ranges: card ([-1, 1] per dim, the model card's) or calibrate (per-dim min and max of"
                    + " the first embedding.calibration-size embeddings of the stream, kept in checkpointed"
                    + " state so codes stay comparable across restarts, savepoints and rescaling).",
            "card", "calibrate");
    public static final ConfigKey<Integer> EMBEDDING_CALIBRATION_SIZE = ConfigKey.integer(
            "embedding.calibration-size", 1000, 2, 100_000,
            "Embeddings sampled for calibrated ranges; records wait (in state) until the sample is full.");
    public static final ConfigKey<Boolean> EMBEDDING_NORMALIZE = ConfigKey.bool("embedding.normalize", null,
            "L2-normalize the vectors (and re-normalize after embedding.truncate-dim): true or false"
                    + " (default: the model's choice, as sentence-transformers: normalize when modules.json"
                    + " lists a Normalize module, e.g. mdbr-leaf-mt, not when it lists none, e.g."
                    + " mxbai-embed-large-v1; always for a bare ONNX graph and the bundled model).");
    public static final ConfigKey<String> EMBEDDING_EMPTY_TEXT = ConfigKey.choice("embedding.empty-text",
            "reject", "Empty or whitespace-only text: reject (dead letter) or embed.", "reject", "embed");

    // ---- runtime
    public static final ConfigKey<Integer> RUNTIME_PARALLELISM = ConfigKey.integer("runtime.parallelism", null,
            1, 4096, "Parallelism of the job (default: 1 for a local run, the cluster's default otherwise).");
    public static final ConfigKey<Integer> RUNTIME_INTRA_OP_THREADS = ConfigKey.integer(
            "runtime.intra-op-threads", null, 1, 1024,
            "ONNX Runtime threads per model run (default 1).");
    public static final ConfigKey<Integer> RUNTIME_PARALLEL_RUNS = ConfigKey.integer(
            "runtime.parallel-runs", null, 1, 1024,
            "Model runs (batches) one embedding instance executes at once, on one shared session, each with"
                    + " runtime.intra-op-threads threads (default: cores / parallelism / intra-op threads for a"
                    + " local run, 1 on a cluster, where a slot is a core). Two runs of one thread embed 13-25%"
                    + " more than one run of two threads on 2 cores.");
    public static final ConfigKey<Boolean> RUNTIME_SHARE_MODEL = ConfigKey.bool("runtime.share-model", false,
            "One model (ONNX Runtime session, weights, run threads) per TaskManager, shared by the job's"
                    + " embedding instances there, instead of one per slot; then set runtime.parallel-runs to the"
                    + " TaskManager's cores for embedding (a local run defaults to every core).");
    public static final ConfigKey<Integer> RUNTIME_INTER_OP_THREADS = ConfigKey.integer(
            "runtime.inter-op-threads", 1, 1, 1024, "ONNX Runtime inter-op threads per session.");
    public static final ConfigKey<String> RUNTIME_GRAPH_OPTIMIZATION = ConfigKey.choice(
            "runtime.graph-optimization", "auto", "ONNX Runtime graph optimization level; auto is all for an int8"
                    + " graph (its layer norms kept decomposed: up to 22% faster), basic for other graphs on CPU with"
                    + " one intra-op thread (up to 12% faster there) and all with several threads or on CUDA.",
            "auto", "none", "basic", "extended", "all");
    public static final ConfigKey<Boolean> RUNTIME_CUDA = ConfigKey.bool("runtime.cuda", false,
            "Run on CUDA (needs onnxruntime_gpu and a GPU; fails at startup otherwise).");

    // ---- batching
    public static final ConfigKey<Integer> BATCHING_WINDOW_SIZE = ConfigKey.integer("batching.window-size", 1024,
            1, 1_000_000, "Most records gathered before embedding; the window is sorted by length and cut into"
                    + " batches by padded cost (larger windows pad less but hold records longer).");
    public static final ConfigKey<Integer> BATCHING_MAX_WAIT_MS = ConfigKey.integer("batching.max-wait-ms", 50,
            0, 600_000, "Longest time the first record of a window waits for more (ms).");
    public static final ConfigKey<Integer> BATCHING_LATENCY_BUDGET_MS = ConfigKey.integer(
            "batching.latency-budget-ms", 1000, 0, 3_600_000,
            "Under load, close a window when its first record's wait plus the window's expected embedding"
                    + " time (at the measured rate) reaches this (ms); 0: windows close by count and wait only.");
    public static final ConfigKey<Boolean> BATCHING_PIPELINED = ConfigKey.bool("batching.pipelined", true,
            "Embed a window on a thread of its own while the task thread reads and fills the next one and"
                    + " writes out the one before (false: the task thread waits while the model runs).");
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
    public static final ConfigKey<Boolean> INPUT_SKIP_BLANK_LINES = ConfigKey.bool("input.skip-blank-lines", true,
            "Local run: skip empty and whitespace-only lines silently (the final line counts them; line"
                    + " numbers still count them). false sends them to the dead letters.");

    // ---- output
    public static final ConfigKey<String> OUTPUT_FILE = ConfigKey.string("output.file", "-",
            "Local run: where the JSON lines go (- for standard output).");
    public static final ConfigKey<String> OUTPUT_DEAD_LETTER_FILE = ConfigKey.string("output.dead-letter-file",
            null, "Local run: where dead letters go as JSON lines (default: standard error).");
    public static final ConfigKey<String> OUTPUT_ENCODING = ConfigKey.choice("output.encoding", "json",
            "json: the vector (or codes) as a JSON array; base64: the packed bytes (float32 little-endian)"
                    + " in the JSON record; raw (Kafka only): the packed bytes as the whole value, keyed by id,"
                    + " metadata in headers.",
            "json", "base64", "raw");
    public static final ConfigKey<String> OUTPUT_EMBEDDING_FIELD = ConfigKey.string("output.embedding-field",
            "embedding", "Field of the output record that holds the embedding and its metadata.");

    public static final ConfigKey<Integer> OUTPUT_DEAD_LETTER_MAX_ORIGINAL_BYTES = ConfigKey.integer(
            "output.dead-letter.max-original-bytes", 64 * 1024, 0, 64 << 20,
            "Most bytes of the refused record a dead letter keeps (a prefix, cut on a UTF-8 character"
                    + " boundary; the dead letter says the full size and where the record is).");

    // ---- checkpointing
    public static final ConfigKey<Integer> RUNTIME_CHECKPOINT_INTERVAL_MS = ConfigKey.integer(
            "runtime.checkpoint-interval-ms", 10_000, 0, Integer.MAX_VALUE,
            "Kafka runs: checkpoint interval (ms); exactly-once results are visible to read_committed"
                    + " consumers after each checkpoint. 0 turns checkpointing off (at-least-once only).");
    public static final ConfigKey<String> RUNTIME_CHECKPOINT_DIR = ConfigKey.string("runtime.checkpoint-dir", null,
            "Kafka runs: where checkpoints are kept (a directory, or a URI Flink can write). java -jar keeps the"
                    + " newest few here, also after a crash, and resumes from the newest completed one; delete"
                    + " the directory to start over (default: leaf-embed-state/<kafka.sink.topic or sink.jdbc.table>@"
                    + "<kafka.source.group-id>, or sql@<script file name> for --sql, in the working directory; on a"
                    + " cluster: the cluster's checkpoint storage).");

    // ---- Kafka
    public static final ConfigKey<String> KAFKA_BOOTSTRAP_SERVERS = ConfigKey.string("kafka.bootstrap-servers",
            null, "Kafka brokers (host:port,...). Set it to read from and write to Kafka instead of files.");
    public static final ConfigKey<String> KAFKA_SOURCE_TOPICS = ConfigKey.string("kafka.source.topics", null,
            "Comma-separated input topics (or kafka.source.topic-pattern).");
    public static final ConfigKey<String> KAFKA_SOURCE_TOPIC_PATTERN = ConfigKey.string(
            "kafka.source.topic-pattern", null, "Java regex of input topics; new matching topics are picked up.");
    public static final ConfigKey<String> KAFKA_SOURCE_GROUP_ID = ConfigKey.string("kafka.source.group-id",
            "leaf-embed", "Consumer group (offsets are committed on checkpoints, for monitoring).");
    public static final ConfigKey<String> KAFKA_SOURCE_STARTING_OFFSETS = new ConfigKey<>(
            "kafka.source.starting-offsets", String.class, "committed",
            "Where a new job starts: committed (the group's offsets, else earliest), earliest, latest, or an"
                    + " epoch timestamp in ms. A restored job resumes from its checkpoint.",
            s -> {
                String v = s.trim().toLowerCase(java.util.Locale.ROOT);
                if (v.equals("committed") || v.equals("earliest") || v.equals("latest")) {
                    return v;
                }
                try {
                    if (Long.parseLong(v) >= 0) {
                        return v;
                    }
                } catch (NumberFormatException e) {
                    // falls through to the rule
                }
                throw new IllegalArgumentException("must be committed, earliest, latest or a timestamp in ms");
            });
    public static final ConfigKey<Boolean> KAFKA_SOURCE_BOUNDED = ConfigKey.bool("kafka.source.bounded", false,
            "Stop at the offsets that are latest when the job starts (backfills); otherwise run forever.");
    public static final ConfigKey<String> KAFKA_SINK_TOPIC = ConfigKey.string("kafka.sink.topic", null,
            "Output topic for embedded records (key: the record id).");
    public static final ConfigKey<String> KAFKA_SINK_DEAD_LETTER_TOPIC = ConfigKey.string(
            "kafka.sink.dead-letter-topic", null, "Topic for dead letters (default: <kafka.sink.topic>-dead-letters).");
    public static final ConfigKey<String> KAFKA_SINK_DELIVERY_GUARANTEE = ConfigKey.choice(
            "kafka.sink.delivery-guarantee", "exactly-once",
            "exactly-once (Kafka transactions committed on checkpoints; consumers must read_committed) or"
                    + " at-least-once.", "exactly-once", "at-least-once");
    public static final ConfigKey<String> KAFKA_SINK_TRANSACTIONAL_ID_PREFIX = ConfigKey.string(
            "kafka.sink.transactional-id-prefix", null,
            "Prefix of the sinks' transactional ids; unique per job on a Kafka cluster (default:"
                    + " leaf-embed-<kafka.source.group-id>@<kafka.sink.topic>).");
    public static final ConfigKey<Integer> KAFKA_SINK_TRANSACTION_TIMEOUT_MS = ConfigKey.integer(
            "kafka.sink.transaction-timeout-ms", 900_000, 1_000, Integer.MAX_VALUE,
            "Kafka transaction timeout; at least the checkpoint interval and at most the brokers'"
                    + " transaction.max.timeout.ms (15 min by default).");

    public static final ConfigKey<Integer> KAFKA_STARTUP_CHECK_TIMEOUT_MS = ConfigKey.integer(
            "kafka.startup-check-timeout-ms", 10_000, 0, 600_000,
            "Before the job starts, check within this time that the brokers answer, the input topics exist,"
                    + " the output topics exist or can be created and the transaction timeout is allowed"
                    + " (exit 2 naming the key otherwise); with --sql, the wait for each Kafka table's brokers and"
                    + " each JDBC table's database. 0 skips the check.");

    // ---- results sink (Kafka topic or PostgreSQL table)
    public static final ConfigKey<String> SINK_TYPE = ConfigKey.choice("sink.type", "kafka",
            "Kafka runs: where embedded records go: kafka ('kafka.sink.topic') or jdbc (a PostgreSQL table,"
                    + " upserted by id: see \"Sink table: PostgreSQL\"). Dead letters go to Kafka either way.",
            "kafka", "jdbc");
    public static final ConfigKey<String> SINK_JDBC_URL = ConfigKey.string("sink.jdbc.url", null,
            "sink.type jdbc: the PostgreSQL JDBC URL (jdbc:postgresql://host:port/database).");
    public static final ConfigKey<String> SINK_JDBC_TABLE = ConfigKey.string("sink.jdbc.table", "embeddings",
            "sink.type jdbc: the table (optionally schema.table) with columns id (primary key), embedding"
                    + " (real[] for float32, bytea for codes), model, dims, dtype, updated_at.");
    public static final ConfigKey<String> SINK_JDBC_USER = ConfigKey.string("sink.jdbc.user", null,
            "sink.type jdbc: the database user (default: the URL's or the driver's).");
    public static final ConfigKey<String> SINK_JDBC_PASSWORD = ConfigKey.string("sink.jdbc.password", null,
            "sink.type jdbc: the password (never logged); prefer sink.jdbc.password-env.");
    public static final ConfigKey<String> SINK_JDBC_PASSWORD_ENV = ConfigKey.string("sink.jdbc.password-env", null,
            "sink.type jdbc: the name of an environment variable holding the password, read where the job"
                    + " is built (java -jar, or the client / JobManager running main on a cluster).");
    public static final ConfigKey<Integer> SINK_JDBC_BATCH_SIZE = ConfigKey.integer("sink.jdbc.batch-size", 500,
            1, 100_000, "sink.type jdbc: rows per JDBC batch (also written at every checkpoint).");
    public static final ConfigKey<Integer> SINK_JDBC_BATCH_INTERVAL_MS = ConfigKey.integer(
            "sink.jdbc.batch-interval-ms", 1_000, 0, 3_600_000,
            "sink.type jdbc: longest time a row waits for its batch (ms; 0: only size and checkpoints flush).");
    public static final ConfigKey<Integer> SINK_JDBC_MAX_RETRIES = ConfigKey.integer("sink.jdbc.max-retries", 3,
            0, 100, "sink.type jdbc: retries of a failed batch before the task fails (and restarts from the"
                    + " last checkpoint).");
    public static final ConfigKey<Boolean> SINK_JDBC_CREATE_TABLE = ConfigKey.bool("sink.jdbc.create-table", false,
            "sink.type jdbc: create the table at startup if it is missing (CREATE TABLE IF NOT EXISTS with the"
                    + " documented schema); otherwise a missing table or a wrong embedding column fails at startup.");

    // ---- SQL scripts
    public static final ConfigKey<String> SQL_FILE = ConfigKey.string("sql.file", null,
            "Run this Flink SQL script (--sql FILE) instead of the embedding job: tables, CREATE MODEL with"
                    + " provider leaf-embed, INSERT INTO; only runtime.parallelism, runtime.checkpoint-* and"
                    + " flink.* apply (see \"SQL scripts (--sql)\").");

    /** Prefix of keys passed to every Kafka client as they are (SASL, SSL, ...). */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    /** All keys, in documentation order. */
    public static final List<ConfigKey<?>> ALL = List.of(
            MODEL_DIR, MODEL_ONNX_VARIANT, MODEL_ONNX_FILE, MODEL_TOKENIZER_FILE, MODEL_ID, MODEL_MAX_LENGTH,
            MODEL_POOLING, MODEL_QUERY_PROMPT, MODEL_DOCUMENT_PROMPT, MODEL_QUERY_DIR, MODEL_QUERY_ONNX_VARIANT,
            MODEL_DOCUMENT_DIR, MODEL_DOCUMENT_ONNX_VARIANT,
            EMBEDDING_TRUNCATE_DIM, EMBEDDING_QUANTIZATION, EMBEDDING_RANGES, EMBEDDING_CALIBRATION_SIZE,
            EMBEDDING_NORMALIZE, EMBEDDING_EMPTY_TEXT,
            RUNTIME_PARALLELISM, RUNTIME_INTRA_OP_THREADS, RUNTIME_PARALLEL_RUNS, RUNTIME_SHARE_MODEL, RUNTIME_INTER_OP_THREADS, RUNTIME_GRAPH_OPTIMIZATION,
            RUNTIME_CUDA,
            BATCHING_WINDOW_SIZE, BATCHING_MAX_WAIT_MS, BATCHING_LATENCY_BUDGET_MS, BATCHING_PIPELINED, BATCHING_MAX_BATCH_SIZE, BATCHING_MAX_BATCH_TOKENS,
            BATCHING_CACHE_SIZE,
            INPUT_FILE, INPUT_FORMAT, INPUT_ID_FIELD, INPUT_TEXT_FIELD, INPUT_ROLE_FIELD, INPUT_DEFAULT_ROLE,
            INPUT_MAX_TEXT_BYTES, INPUT_SKIP_BLANK_LINES,
            OUTPUT_FILE, OUTPUT_DEAD_LETTER_FILE, OUTPUT_ENCODING, OUTPUT_EMBEDDING_FIELD,
            OUTPUT_DEAD_LETTER_MAX_ORIGINAL_BYTES,
            RUNTIME_CHECKPOINT_INTERVAL_MS, RUNTIME_CHECKPOINT_DIR,
            KAFKA_BOOTSTRAP_SERVERS, KAFKA_SOURCE_TOPICS, KAFKA_SOURCE_TOPIC_PATTERN, KAFKA_SOURCE_GROUP_ID,
            KAFKA_SOURCE_STARTING_OFFSETS, KAFKA_SOURCE_BOUNDED, KAFKA_SINK_TOPIC, KAFKA_SINK_DEAD_LETTER_TOPIC,
            KAFKA_SINK_DELIVERY_GUARANTEE, KAFKA_SINK_TRANSACTIONAL_ID_PREFIX, KAFKA_SINK_TRANSACTION_TIMEOUT_MS,
            KAFKA_STARTUP_CHECK_TIMEOUT_MS,
            SINK_TYPE, SINK_JDBC_URL, SINK_JDBC_TABLE, SINK_JDBC_USER, SINK_JDBC_PASSWORD, SINK_JDBC_PASSWORD_ENV,
            SINK_JDBC_BATCH_SIZE, SINK_JDBC_BATCH_INTERVAL_MS, SINK_JDBC_MAX_RETRIES, SINK_JDBC_CREATE_TABLE,
            SQL_FILE);
}
