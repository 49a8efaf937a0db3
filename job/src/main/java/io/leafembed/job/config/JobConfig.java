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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The job's resolved configuration: defaults, then a YAML file, then command-line overrides, each
 * value parsed and checked against its {@link ConfigKey}, and the keys checked against each other
 * in {@link #validate()}. An unknown key is rejected with the closest valid one. Immutable.
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The bare int8 all-MiniLM-L6-v2 inside the job jar, used when no model is configured. */
    public static final String BUNDLED_MODEL = "all-minilm-l6-v2-q";
    static final int BUNDLED_MAX_LENGTH = 256;

    private static final Map<String, ConfigKey<?>> KEYS = JobOptions.ALL.stream()
            .collect(Collectors.toMap(ConfigKey::name, k -> k, (a, b) -> a, LinkedHashMap::new));

    private final Map<String, Object> values;

    private JobConfig(Map<String, Object> values) {
        this.values = values;
    }

    /** Defaults plus {@code settings} (key -> text value). */
    public static JobConfig of(Map<String, String> settings) {
        Map<String, Object> values = new HashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
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
        JobConfig config = new JobConfig(values);
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

    /** Flattens a YAML file's nested maps into dotted keys. */
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
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(name + ".", value, out, yaml);
            } else if (value.isArray()) {
                throw new ConfigException("'" + name + "' in " + yaml + " is a list; every key takes one value");
            } else {
                out.put(name, value.isNull() ? null : value.asText());
            }
        }
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
        if (isSet(JobOptions.MODEL_ONNX_VARIANT) && !dir) {
            throw new ConfigException("'model.onnx-variant' picks a graph under 'model.dir'; set model.dir"
                    + " (--model DIR) or drop the variant");
        }
        Integer maxLength = get(JobOptions.MODEL_MAX_LENGTH);
        if (!dir && !onnx && maxLength != null && maxLength > 512) {
            throw new ConfigException("'model.max-length' must be at most 512");
        }
    }

    /**
     * The Embedder options these settings describe.
     *
     * @param defaultIntraOpThreads intra-op threads when 'runtime.intra-op-threads' is not set
     */
    public EmbedderOptions embedderOptions(int defaultIntraOpThreads) {
        EmbedderOptions.Builder b = EmbedderOptions.builder();
        if (isSet(JobOptions.MODEL_DIR)) {
            b.modelDir(Path.of(get(JobOptions.MODEL_DIR))).onnxVariant(get(JobOptions.MODEL_ONNX_VARIANT));
        } else if (isSet(JobOptions.MODEL_ONNX_FILE)) {
            b.onnxFile(Path.of(get(JobOptions.MODEL_ONNX_FILE)))
                    .tokenizerFile(Path.of(get(JobOptions.MODEL_TOKENIZER_FILE)))
                    .pooling(PoolingMode.MEAN);
        } else {
            b.bundledModel(BUNDLED_MODEL).pooling(PoolingMode.MEAN).maxLength(BUNDLED_MAX_LENGTH);
        }
        Optional.ofNullable(get(JobOptions.MODEL_POOLING)).map(PoolingMode::fromId).ifPresent(b::pooling);
        Optional.ofNullable(get(JobOptions.MODEL_MAX_LENGTH)).ifPresent(b::maxLength);
        Optional.ofNullable(get(JobOptions.MODEL_ID)).ifPresent(b::modelId);
        Optional.ofNullable(get(JobOptions.MODEL_QUERY_PROMPT)).ifPresent(p -> b.prompt(PromptTemplates.QUERY, p));
        Optional.ofNullable(get(JobOptions.MODEL_DOCUMENT_PROMPT))
                .ifPresent(p -> b.prompt(PromptTemplates.DOCUMENT, p));
        int intra = isSet(JobOptions.RUNTIME_INTRA_OP_THREADS)
                ? get(JobOptions.RUNTIME_INTRA_OP_THREADS) : Math.max(1, defaultIntraOpThreads);
        try {
            return b.truncateDim(get(JobOptions.EMBEDDING_TRUNCATE_DIM))
                    .quantization(Quantization.fromId(get(JobOptions.EMBEDDING_QUANTIZATION)))
                    .normalize(get(JobOptions.EMBEDDING_NORMALIZE))
                    .emptyText(get(JobOptions.EMBEDDING_EMPTY_TEXT).equals("embed")
                            ? EmptyTextPolicy.EMBED : EmptyTextPolicy.REJECT)
                    .session(new SessionSettings(intra, get(JobOptions.RUNTIME_INTER_OP_THREADS),
                            GraphOptimization.fromId(get(JobOptions.RUNTIME_GRAPH_OPTIMIZATION)),
                            get(JobOptions.RUNTIME_CUDA), 0))
                    .maxBatchSize(get(JobOptions.BATCHING_MAX_BATCH_SIZE))
                    .maxBatchTokens(get(JobOptions.BATCHING_MAX_BATCH_TOKENS))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid model settings: " + e.getMessage(), e);
        }
    }

    public BatchingOptions batchingOptions() {
        return new BatchingOptions(get(JobOptions.BATCHING_WINDOW_SIZE), get(JobOptions.BATCHING_MAX_WAIT_MS));
    }

    /** Whether no model is configured, so the bundled one is used. */
    public boolean usesBundledModel() {
        return !isSet(JobOptions.MODEL_DIR) && !isSet(JobOptions.MODEL_ONNX_FILE);
    }

    /** Every key with its value (set or default), for the startup log. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ConfigKey<?> key : JobOptions.ALL) {
            out.put(key.name(), get(key));
        }
        return out;
    }
}
