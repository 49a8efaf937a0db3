package io.leafembed.job.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.EmptyTextPolicy;
import io.leafembed.function.BatchingOptions;
import io.leafembed.inference.GraphOptimization;
import io.leafembed.inference.SessionSettings;
import io.leafembed.pooling.PoolingMode;
import io.leafembed.postprocess.Quantization;
import io.leafembed.tokenize.PromptTemplates;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The job's resolved configuration: defaults, then a YAML file, then command-line overrides, each
 * value parsed and checked against its {@link ConfigKey}, and the keys checked against each other
 * in {@link #validate()}. An unknown key is rejected with the closest valid one; keys under
 * {@code kafka.properties.} go to the Kafka clients and keys under {@code flink.} to Flink
 * ({@link FlinkSettings}). Immutable.
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The bare int8 all-MiniLM-L6-v2 inside the job jar, used when no model is configured. */
    public static final String BUNDLED_MODEL = io.leafembed.model.BundledModel.NAME;
    static final int BUNDLED_MAX_LENGTH = io.leafembed.model.BundledModel.MAX_LENGTH;

    /** Root of the default checkpoint directories of Kafka jobs run with java -jar. */
    public static final String DEFAULT_STATE_DIR = "leaf-embed-state";

    private static final Map<String, ConfigKey<?>> KEYS = JobOptions.ALL.stream()
            .collect(Collectors.toMap(ConfigKey::name, k -> k, (a, b) -> a, LinkedHashMap::new));

    private final Map<String, Object> values;
    private final Map<String, String> kafkaProperties;
    /** Flink's own keys, without the {@code flink.} prefix. */
    private final Map<String, String> flinkOptions;
    private final List<String> warnings;

    private JobConfig(Map<String, Object> values, Map<String, String> kafkaProperties,
            Map<String, String> flinkOptions, List<String> warnings) {
        this.values = values;
        this.kafkaProperties = kafkaProperties;
        this.flinkOptions = flinkOptions;
        this.warnings = warnings;
    }

    /** Defaults plus {@code settings} (key -> text value). */
    public static JobConfig of(Map<String, String> settings) {
        Map<String, Object> values = new HashMap<>();
        Map<String, String> kafkaProperties = new LinkedHashMap<>();
        Map<String, String> flinkOptions = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().startsWith(FlinkSettings.PREFIX) && e.getKey().length() > FlinkSettings.PREFIX.length()) {
                flinkOptions.put(e.getKey().substring(FlinkSettings.PREFIX.length()), e.getValue());
                continue;
            }
            if (e.getKey().startsWith(JobOptions.KAFKA_PROPERTIES_PREFIX)
                    && e.getKey().length() > JobOptions.KAFKA_PROPERTIES_PREFIX.length()) {
                kafkaProperties.put(e.getKey().substring(JobOptions.KAFKA_PROPERTIES_PREFIX.length()), e.getValue());
                continue;
            }
            ConfigKey<?> key = KEYS.get(e.getKey());
            if (key == null) {
                throw new ConfigException("unknown configuration key '" + e.getKey() + "'"
                        + ClosestMatch.of(e.getKey(), KEYS.keySet()).map(k -> ": did you mean '" + k + "'?")
                                .orElse("; see --help for the valid keys"));
            }
            if (e.getValue() == null) {
                values.remove(e.getKey());
                continue;
            }
            try {
                values.put(key.name(), key.parse(e.getValue()));
            } catch (IllegalArgumentException invalid) {
                throw new ConfigException("'" + key.name() + "' " + invalid.getMessage() + " but was '"
                        + e.getValue() + "'");
            }
        }
        List<String> warnings = new ArrayList<>(FlinkSettings.validate(flinkOptions));
        if (Boolean.TRUE.equals(values.get(JobOptions.RUNTIME_SHARE_MODEL.name()))
                && values.get(JobOptions.RUNTIME_PARALLEL_RUNS.name()) == null
                && values.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS.name()) != null) {
            // a cluster slot defaults to one run: shared, that one run would serve every slot
            warnings.add("'" + JobOptions.RUNTIME_SHARE_MODEL.name() + "' without '"
                    + JobOptions.RUNTIME_PARALLEL_RUNS.name() + "': the TaskManager's slots share one model that"
                    + " runs one batch at a time; set '" + JobOptions.RUNTIME_PARALLEL_RUNS.name()
                    + "' to the TaskManager's cores");
        }
        JobConfig config = new JobConfig(values, kafkaProperties, flinkOptions, List.copyOf(warnings));
        config.validate();
        return config;
    }

    /** Defaults, then the YAML file (if not null), then {@code overrides}. */
    public static JobConfig load(Path yaml, Map<String, String> overrides) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (yaml != null) {
            settings.putAll(readYaml(yaml));
        }
        settings.putAll(overrides);
        return of(settings);
    }

    /**
     * Flattens a YAML file's nested maps into dotted keys. A section left empty (e.g. {@code model:}
     * with only commented-out keys under it, which YAML reads as null) is skipped; a key set to
     * nothing stays null (unset).
     */
    static Map<String, String> readYaml(Path yaml) {
        if (!Files.isRegularFile(yaml)) {
            throw new ConfigException("configuration file " + yaml + " does not exist");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
        } catch (IOException e) {
            throw new ConfigException("configuration file " + yaml + " is not valid YAML: " + e.getMessage(), e);
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException("configuration file " + yaml + " must be a map of keys");
            }
            flatten("", root, flat, yaml);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path yaml) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(name + ".", value, out, yaml);
            } else if (value.isArray()) {
                throw new ConfigException("'" + name + "' in " + yaml + " is a list; every key takes one value"
                        + (name.startsWith(FlinkSettings.PREFIX) ? " (write a Flink list as one string: a;b;c)" : ""));
            } else if (value.isNull() && isSection(name)) {
                continue;
            } else {
                out.put(name, value.isNull() ? null : value.asText());
            }
        }
    }

    /** Whether {@code name} is a section of keys rather than a key: model, kafka.sink, flink... */
    private static boolean isSection(String name) {
        String prefix = name + ".";
        return !KEYS.containsKey(name) && (KEYS.keySet().stream().anyMatch(k -> k.startsWith(prefix))
                || FlinkSettings.PREFIX.startsWith(prefix) || JobOptions.KAFKA_PROPERTIES_PREFIX.startsWith(prefix)
                || prefix.startsWith(FlinkSettings.PREFIX) || prefix.startsWith(JobOptions.KAFKA_PROPERTIES_PREFIX));
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return values.containsKey(key.name()) ? (T) values.get(key.name()) : key.defaultValue();
    }

    public boolean isSet(ConfigKey<?> key) {
        return values.containsKey(key.name());
    }

    /** Checks the keys against each other; every rule names the keys and the fix. */
    private void validate() {
        if (isSqlScript()) {
            validateSqlScript();
            return;
        }
        boolean dir = isSet(JobOptions.MODEL_DIR);
        boolean onnx = isSet(JobOptions.MODEL_ONNX_FILE);
        boolean tokenizer = isSet(JobOptions.MODEL_TOKENIZER_FILE);
        if (dir && (onnx || tokenizer)) {
            throw new ConfigException("'model.dir' and 'model.onnx-file'/'model.tokenizer-file' exclude each"
                    + " other: give a model directory or a bare ONNX + tokenizer pair");
        }
        if (onnx != tokenizer) {
            throw new ConfigException("'model.onnx-file' and 'model.tokenizer-file' go together: set both"
                    + " (--onnx FILE --tokenizer FILE)");
        }
        if (isSet(JobOptions.MODEL_QUERY_ONNX_VARIANT) && !isSet(JobOptions.MODEL_QUERY_DIR)
                || isSet(JobOptions.MODEL_DOCUMENT_ONNX_VARIANT) && !isSet(JobOptions.MODEL_DOCUMENT_DIR)) {
            throw new ConfigException("'model.query.onnx-variant' / 'model.document.onnx-variant' pick a graph"
                    + " under that role's model directory: set 'model.query.dir' / 'model.document.dir' too");
        }
        if (isSet(JobOptions.MODEL_ONNX_VARIANT) && !dir) {
            throw new ConfigException("'model.onnx-variant' picks a graph under 'model.dir'; set model.dir"
                    + " (--model DIR) or drop the variant");
        }
        if (calibratesRanges() && !Quantization.fromId(get(JobOptions.EMBEDDING_QUANTIZATION)).isScalar()) {
            throw new ConfigException("'embedding.ranges' calibrate applies to int8 and uint8, but"
                    + " 'embedding.quantization' is " + get(JobOptions.EMBEDDING_QUANTIZATION));
        }
        validateKafka();
        validateSink();
    }

    /**
     * A --sql run configures its tables and model in the script: only the keys that shape the
     * Flink job itself (parallelism, checkpoints, flink.*) apply.
     */
    private void validateSqlScript() {
        java.util.Set<ConfigKey<?>> applicable = java.util.Set.of(JobOptions.SQL_FILE, JobOptions.RUNTIME_PARALLELISM,
                JobOptions.RUNTIME_CHECKPOINT_INTERVAL_MS, JobOptions.RUNTIME_CHECKPOINT_DIR,
                JobOptions.KAFKA_STARTUP_CHECK_TIMEOUT_MS); // the wait of the script's broker and database checks
        for (ConfigKey<?> key : JobOptions.ALL) {
            if (isSet(key) && !applicable.contains(key)) {
                throw new ConfigException("'" + key.name() + "' does not apply to a SQL script (--sql): the script"
                        + " declares its tables and model itself (e.g. CREATE MODEL ... WITH ('provider' = 'leaf-embed',"
                        + " '" + (key.name().startsWith("kafka.") || key.name().startsWith("sink.") ? "model.dir"
                                : key.name()) + "' = ...)); only runtime.parallelism, runtime.checkpoint-interval-ms,"
                        + " runtime.checkpoint-dir, kafka.startup-check-timeout-ms and flink.* apply");
            }
        }
        if (!kafkaProperties.isEmpty()) {
            throw new ConfigException("'kafka.properties.*' does not apply to a SQL script (--sql): give Kafka"
                    + " client properties in the Kafka table's WITH ('properties.<name>' = ...)");
        }
        if (get(JobOptions.SQL_FILE).isBlank()) {
            throw new ConfigException("'sql.file' (--sql) names no file: give the path of a SQL script");
        }
    }

    /** The results sink's keys, for Kafka runs: a Kafka topic, or a PostgreSQL table. */
    private void validateSink() {
        if (!isJdbcSink()) {
            for (ConfigKey<?> key : JobOptions.ALL) {
                if (key.name().startsWith("sink.jdbc.") && isSet(key)) {
                    throw new ConfigException("'" + key.name() + "' applies to 'sink.type' jdbc, but the sink is "
                            + get(JobOptions.SINK_TYPE) + ": set sink.type to jdbc or drop the key");
                }
            }
            return;
        }
        if (!isSet(JobOptions.SINK_JDBC_URL)) {
            throw new ConfigException("'sink.type' jdbc needs 'sink.jdbc.url' (jdbc:postgresql://host:port/database)");
        }
        if (!get(JobOptions.SINK_JDBC_URL).startsWith("jdbc:postgresql:")) {
            throw new ConfigException("'sink.jdbc.url' must be a PostgreSQL JDBC URL starting with jdbc:postgresql:"
                    + " (the only database the sink writes) but was '" + get(JobOptions.SINK_JDBC_URL) + "'");
        }
        if (!get(JobOptions.SINK_JDBC_TABLE).matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
            throw new ConfigException("'sink.jdbc.table' must be a table name or schema.table of letters, digits and"
                    + " underscores (it is written into SQL unquoted) but was '" + get(JobOptions.SINK_JDBC_TABLE) + "'");
        }
        if (isSet(JobOptions.SINK_JDBC_PASSWORD) && isSet(JobOptions.SINK_JDBC_PASSWORD_ENV)) {
            throw new ConfigException("'sink.jdbc.password' and 'sink.jdbc.password-env' exclude each other: give"
                    + " the password or the environment variable that holds it");
        }
        if (isSet(JobOptions.SINK_JDBC_PASSWORD_ENV)) {
            String variable = get(JobOptions.SINK_JDBC_PASSWORD_ENV);
            if (System.getenv(variable) == null) {
                throw new ConfigException("'sink.jdbc.password-env' names the environment variable " + variable
                        + ", which is not set: export it, or fix the name");
            }
        }
        if (isSet(JobOptions.KAFKA_SINK_TOPIC)) {
            throw new ConfigException("'kafka.sink.topic' is for 'sink.type' kafka; with jdbc the results go to"
                    + " 'sink.jdbc.table' and the dead letters to 'kafka.sink.dead-letter-topic': drop kafka.sink.topic");
        }
        if (!isSet(JobOptions.KAFKA_SINK_DEAD_LETTER_TOPIC)) {
            throw new ConfigException("'sink.type' jdbc needs 'kafka.sink.dead-letter-topic': the dead letters"
                    + " still go to Kafka");
        }
        for (ConfigKey<String> kafkaOnly : List.of(JobOptions.OUTPUT_ENCODING, JobOptions.OUTPUT_EMBEDDING_FIELD)) {
            if (isSet(kafkaOnly)) {
                throw new ConfigException("'" + kafkaOnly.name() + "' shapes Kafka records; 'sink.type' jdbc writes"
                        + " the table's columns (real[] for float32, bytea for codes): drop the key");
            }
        }
    }

    /** Whether this is a --sql run (a user's SQL script instead of the embedding job). */
    public boolean isSqlScript() {
        return isSet(JobOptions.SQL_FILE);
    }

    /** Whether results go to a PostgreSQL table ('sink.type' jdbc) instead of a Kafka topic. */
    public boolean isJdbcSink() {
        return get(JobOptions.SINK_TYPE).equals("jdbc");
    }

    /**
     * What the results are written to: the Kafka sink topic, or the PostgreSQL table; names the
     * job in its default checkpoint directory and transactional ids.
     */
    public String resultsTarget() {
        return isJdbcSink() ? get(JobOptions.SINK_JDBC_TABLE) : get(JobOptions.KAFKA_SINK_TOPIC);
    }

    /** The sink's password: 'sink.jdbc.password', the variable 'sink.jdbc.password-env' names, or null. */
    public String jdbcPassword() {
        if (isSet(JobOptions.SINK_JDBC_PASSWORD_ENV)) {
            return System.getenv(get(JobOptions.SINK_JDBC_PASSWORD_ENV));
        }
        return get(JobOptions.SINK_JDBC_PASSWORD);
    }

    /** Whether int8/uint8 ranges are calibrated from the stream (then the model emits floats). */
    public boolean calibratesRanges() {
        return get(JobOptions.EMBEDDING_RANGES).equals("calibrate");
    }

    /** The output precision (the Embedder's own is float32 when ranges are calibrated later). */
    public Quantization quantization() {
        return Quantization.fromId(get(JobOptions.EMBEDDING_QUANTIZATION));
    }

    private void validateKafka() {
        if (!isKafka()) {
            if (isSet(JobOptions.RUNTIME_CHECKPOINT_DIR)) {
                throw new ConfigException("'runtime.checkpoint-dir' keeps a Kafka job's checkpoints; a local run"
                        + " reads its file from the start every time: drop the key");
            }
            if (isJdbcSink()) {
                throw new ConfigException("'sink.type' jdbc writes the results of a Kafka run; set"
                        + " 'kafka.bootstrap-servers' (a local run writes JSON lines to 'output.file')");
            }
            for (ConfigKey<?> key : JobOptions.ALL) {
                if (key.name().startsWith("sink.jdbc.") && isSet(key)) {
                    throw new ConfigException("'" + key.name() + "' applies to 'sink.type' jdbc, which needs a Kafka"
                            + " run ('kafka.bootstrap-servers')");
                }
                if (key.name().startsWith("kafka.") && isSet(key)) {
                    throw new ConfigException("'" + key.name() + "' needs 'kafka.bootstrap-servers'; set it"
                            + " to run on Kafka, or drop the kafka.* keys for a local run");
                }
            }
            if (get(JobOptions.OUTPUT_ENCODING).equals("raw")) {
                throw new ConfigException("'output.encoding' raw writes bare bytes to Kafka; a local run"
                        + " writes JSON lines: use json or base64");
            }
            return;
        }
        if (isSet(JobOptions.KAFKA_SOURCE_TOPICS) == isSet(JobOptions.KAFKA_SOURCE_TOPIC_PATTERN)) {
            throw new ConfigException("a Kafka run needs exactly one of 'kafka.source.topics' and"
                    + " 'kafka.source.topic-pattern'");
        }
        if (isSet(JobOptions.KAFKA_SOURCE_TOPIC_PATTERN)) {
            try {
                java.util.regex.Pattern.compile(get(JobOptions.KAFKA_SOURCE_TOPIC_PATTERN));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new ConfigException("'kafka.source.topic-pattern' is not a valid regex: " + e.getDescription());
            }
        }
        if (!isSet(JobOptions.KAFKA_SINK_TOPIC) && !isJdbcSink()) {
            throw new ConfigException("a Kafka run needs 'kafka.sink.topic' (where embedded records go)");
        }
        if (isSet(JobOptions.INPUT_FILE)) {
            throw new ConfigException("'input.file' is for local runs; a Kafka run reads 'kafka.source.topics'");
        }
        for (ConfigKey<String> local : java.util.List.of(JobOptions.OUTPUT_FILE, JobOptions.OUTPUT_DEAD_LETTER_FILE)) {
            if (isSet(local)) {
                throw new ConfigException("'" + local.name() + "' is for local runs; a Kafka run writes to"
                        + " 'kafka.sink.topic' and the dead-letter topic");
            }
        }
        if (isSet(JobOptions.KAFKA_SOURCE_TOPICS)
                && get(JobOptions.KAFKA_SOURCE_TOPICS).replace(",", "").isBlank()) {
            throw new ConfigException("'kafka.source.topics' lists no topic: give comma-separated topic names");
        }
        if (kafkaProperties.containsKey("transaction.timeout.ms")) {
            throw new ConfigException("set the transaction timeout with 'kafka.sink.transaction-timeout-ms',"
                    + " not 'kafka.properties.transaction.timeout.ms' (it is checked against the checkpoint"
                    + " interval)");
        }
        int interval = get(JobOptions.RUNTIME_CHECKPOINT_INTERVAL_MS);
        if (exactlyOnce()) {
            if (interval == 0) {
                throw new ConfigException("'kafka.sink.delivery-guarantee' exactly-once commits on checkpoints:"
                        + " set 'runtime.checkpoint-interval-ms' above 0, or use at-least-once");
            }
            int timeout = get(JobOptions.KAFKA_SINK_TRANSACTION_TIMEOUT_MS);
            if (timeout < interval) {
                throw new ConfigException("'kafka.sink.transaction-timeout-ms' (" + timeout + ") is shorter than"
                        + " 'runtime.checkpoint-interval-ms' (" + interval + "): transactions would time out"
                        + " before their checkpoint commits them; raise the timeout or checkpoint more often");
            }
        }
    }

    /** Whether the job reads and writes Kafka (else it is a local file run). */
    public boolean isKafka() {
        return isSet(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
    }

    public boolean exactlyOnce() {
        return get(JobOptions.KAFKA_SINK_DELIVERY_GUARANTEE).equals("exactly-once");
    }

    /** The input topics of {@code kafka.source.topics}, trimmed; empty when a pattern is used. */
    public List<String> sourceTopics() {
        if (!isSet(JobOptions.KAFKA_SOURCE_TOPICS)) {
            return List.of();
        }
        return java.util.Arrays.stream(get(JobOptions.KAFKA_SOURCE_TOPICS).split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).toList();
    }

    /** The dead-letter topic: configured, or {@code <sink topic>-dead-letters}. */
    public String deadLetterTopic() {
        return isSet(JobOptions.KAFKA_SINK_DEAD_LETTER_TOPIC)
                ? get(JobOptions.KAFKA_SINK_DEAD_LETTER_TOPIC)
                : get(JobOptions.KAFKA_SINK_TOPIC) + "-dead-letters";
    }

    /**
     * Where a Kafka job's checkpoints are kept: 'runtime.checkpoint-dir', or
     * {@code leaf-embed-state/<sink topic>@<group id>} under the working directory. The same
     * directory is what makes a restarted {@code java -jar} "the same job" that resumes.
     */
    public String checkpointDir() {
        if (isSet(JobOptions.RUNTIME_CHECKPOINT_DIR)) {
            return get(JobOptions.RUNTIME_CHECKPOINT_DIR);
        }
        if (isSqlScript()) {
            return Path.of(DEFAULT_STATE_DIR, "sql@" + fileNameSafe(Path.of(get(JobOptions.SQL_FILE)).getFileName()
                    .toString())).toString();
        }
        return Path.of(DEFAULT_STATE_DIR, fileNameSafe(resultsTarget()) + "@"
                + fileNameSafe(get(JobOptions.KAFKA_SOURCE_GROUP_ID))).toString();
    }

    /** {@code name} with characters a file name should not hold replaced, plus a hash if any were. */
    static String fileNameSafe(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.equals(name) && !safe.startsWith(".") ? safe
                : safe + "-" + Integer.toHexString(name.hashCode());
    }

    /**
     * Flink's configuration for an embedded MiniCluster ({@code java -jar}): Flink's defaults, then
     * {@code $FLINK_CONF_DIR/config.yaml} if the variable is set, then every {@code flink.<key>}.
     * leaf-embed's own keys (parallelism, checkpoint interval and directory) are applied on top
     * by the run; the flink.* keys cannot contradict them (they are refused).
     */
    public org.apache.flink.configuration.Configuration flinkConfiguration() {
        return FlinkSettings.embedded(System.getenv(FlinkSettings.CONF_DIR_VARIABLE), flinkOptions);
    }

    /**
     * Only the {@code flink.<key>} settings, for a job submitted to a cluster: there Flink's client
     * has read the cluster's configuration already, and these are added to the job's.
     */
    public org.apache.flink.configuration.Configuration flinkOptions() {
        return FlinkSettings.configuration(flinkOptions);
    }

    /** Things worth telling the user at startup that do not stop the job (unchecked Flink keys). */
    public List<String> warnings() {
        return warnings;
    }

    /** Client properties given as {@code kafka.properties.<name>}, passed to every Kafka client. */
    public java.util.Properties kafkaProperties() {
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(kafkaProperties);
        return properties;
    }

    /**
     * The Embedder options these settings describe.
     *
     * @param slotCores the cores one embedding instance may use: unless configured, its model runs
     *     take one ONNX Runtime thread each and it runs {@code slotCores} of them at once
     */
    public EmbedderOptions embedderOptions(int slotCores) {
        EmbedderOptions.Builder b = EmbedderOptions.builder();
        if (isSet(JobOptions.MODEL_DIR)) {
            b.modelDir(Path.of(get(JobOptions.MODEL_DIR))).onnxVariant(get(JobOptions.MODEL_ONNX_VARIANT));
        } else if (isSet(JobOptions.MODEL_ONNX_FILE)) {
            b.onnxFile(Path.of(get(JobOptions.MODEL_ONNX_FILE)))
                    .tokenizerFile(Path.of(get(JobOptions.MODEL_TOKENIZER_FILE)))
                    .pooling(PoolingMode.MEAN);
        } else {
            io.leafembed.model.BundledModel.select(b);
        }
        Optional.ofNullable(get(JobOptions.MODEL_POOLING)).map(PoolingMode::fromId).ifPresent(b::pooling);
        Optional.ofNullable(get(JobOptions.MODEL_ID)).ifPresent(b::modelId);
        return withCommonSettings(b, slotCores);
    }

    /**
     * The models of roles that have their own ({@code model.query.dir}, {@code
     * model.document.dir}): asymmetric retrieval, e.g. queries with mdbr-leaf-mt and documents
     * with mxbai-embed-large-v1. Roles not in the map use {@link #embedderOptions}.
     */
    public Map<String, EmbedderOptions> roleEmbedderOptions(int slotCores) {
        Map<String, EmbedderOptions> roles = new LinkedHashMap<>();
        roleModel(PromptTemplates.QUERY, JobOptions.MODEL_QUERY_DIR, JobOptions.MODEL_QUERY_ONNX_VARIANT,
                slotCores).ifPresent(o -> roles.put(PromptTemplates.QUERY, o));
        roleModel(PromptTemplates.DOCUMENT, JobOptions.MODEL_DOCUMENT_DIR, JobOptions.MODEL_DOCUMENT_ONNX_VARIANT,
                slotCores).ifPresent(o -> roles.put(PromptTemplates.DOCUMENT, o));
        return roles;
    }

    private Optional<EmbedderOptions> roleModel(String role, ConfigKey<String> dir, ConfigKey<String> variant,
            int slotCores) {
        if (!isSet(dir)) {
            return Optional.empty();
        }
        // the role's own directory says its pooling, Dense layers and max length
        EmbedderOptions.Builder b = EmbedderOptions.builder().modelDir(Path.of(get(dir))).onnxVariant(get(variant));
        return Optional.of(withCommonSettings(b, slotCores));
    }

    private EmbedderOptions withCommonSettings(EmbedderOptions.Builder b, int slotCores) {
        Optional.ofNullable(get(JobOptions.MODEL_MAX_LENGTH)).ifPresent(b::maxLength);
        Optional.ofNullable(get(JobOptions.MODEL_QUERY_PROMPT)).ifPresent(p -> b.prompt(PromptTemplates.QUERY, p));
        Optional.ofNullable(get(JobOptions.MODEL_DOCUMENT_PROMPT))
                .ifPresent(p -> b.prompt(PromptTemplates.DOCUMENT, p));
        // several one-thread runs beat one run of several threads on batches of short texts
        int intra = isSet(JobOptions.RUNTIME_INTRA_OP_THREADS) ? get(JobOptions.RUNTIME_INTRA_OP_THREADS) : 1;
        int runs = isSet(JobOptions.RUNTIME_PARALLEL_RUNS) ? get(JobOptions.RUNTIME_PARALLEL_RUNS)
                : Math.max(1, slotCores / intra);
        try {
            return b.truncateDim(get(JobOptions.EMBEDDING_TRUNCATE_DIM))
                    .quantization(calibratesRanges() ? Quantization.FLOAT32 : quantization())
                    .normalize(get(JobOptions.EMBEDDING_NORMALIZE))
                    .emptyText(get(JobOptions.EMBEDDING_EMPTY_TEXT).equals("embed")
                            ? EmptyTextPolicy.EMBED : EmptyTextPolicy.REJECT)
                    .session(new SessionSettings(intra, get(JobOptions.RUNTIME_INTER_OP_THREADS),
                            GraphOptimization.fromId(get(JobOptions.RUNTIME_GRAPH_OPTIMIZATION)),
                            get(JobOptions.RUNTIME_CUDA), 0, runs))
                    .maxBatchSize(get(JobOptions.BATCHING_MAX_BATCH_SIZE))
                    .maxBatchTokens(get(JobOptions.BATCHING_MAX_BATCH_TOKENS))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid model settings: " + e.getMessage(), e);
        }
    }

    public BatchingOptions batchingOptions() {
        return new BatchingOptions(get(JobOptions.BATCHING_WINDOW_SIZE), get(JobOptions.BATCHING_MAX_WAIT_MS),
                get(JobOptions.BATCHING_LATENCY_BUDGET_MS), get(JobOptions.BATCHING_PIPELINED));
    }

    /** Whether no model is configured, so the bundled one is used. */
    public boolean usesBundledModel() {
        return !isSet(JobOptions.MODEL_DIR) && !isSet(JobOptions.MODEL_ONNX_FILE);
    }

    /** Every key with its value (set or default), for the startup log. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ConfigKey<?> key : JobOptions.ALL) {
            out.put(key.name(), key.name().endsWith(".password") && isSet(key) ? "***" : get(key));
        }
        // property values may be secrets (sasl.jaas.config): show names only
        kafkaProperties.keySet().forEach(k -> out.put(JobOptions.KAFKA_PROPERTIES_PREFIX + k, "***"));
        flinkOptions.forEach((k, v) -> out.put(FlinkSettings.PREFIX + k, FlinkSettings.isSensitive(k) ? "***" : v));
        return out;
    }
}
