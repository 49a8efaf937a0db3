package io.leafembed.embed;

import io.leafembed.inference.SessionSettings;
import io.leafembed.pooling.PoolingMode;
import io.leafembed.postprocess.Quantization;
import io.leafembed.postprocess.QuantizationRanges;
import io.leafembed.tokenize.TextTokenizer;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides how an {@link Embedder} loads its model and what vectors it returns.
 * Immutable and serializable (a Flink operator ships it to every slot); built with {@link
 * #builder()}, which validates every value in one place. Limits that depend on the model (max
 * length, truncation dim) are checked when the model is opened.
 *
 * <pre>{@code
 * EmbedderOptions options = EmbedderOptions.builder()
 *         .modelDir(Path.of("models/mdbr-leaf-mt"))
 *         .onnxVariant("int8")
 *         .truncateDim(256)
 *         .quantization(Quantization.INT8)
 *         .build();
 * }</pre>
 */
public final class EmbedderOptions implements Serializable {

    private static final long serialVersionUID = 2L;

    private final String modelDir;
    private final String bundledModel;
    private final String onnxVariant;
    private final String onnxFile;
    private final String tokenizerFile;
    private final String modelId;
    private final Integer maxLength;
    private final PoolingMode pooling;
    private final Map<String, String> prompts;
    private final String defaultPromptName;
    private final Boolean normalize;
    private final Integer truncateDim;
    private final Quantization quantization;
    private final QuantizationRanges ranges;
    private final SessionSettings session;
    private final EmptyTextPolicy emptyText;
    private final int maxBatchSize;
    private final int maxBatchTokens;

    private EmbedderOptions(Builder b) {
        this.modelDir = b.modelDir;
        this.bundledModel = b.bundledModel;
        this.onnxVariant = b.onnxVariant;
        this.onnxFile = b.onnxFile;
        this.tokenizerFile = b.tokenizerFile;
        this.modelId = b.modelId;
        this.maxLength = b.maxLength;
        this.pooling = b.pooling;
        this.prompts = Collections.unmodifiableMap(new LinkedHashMap<>(b.prompts));
        this.defaultPromptName = b.defaultPromptName;
        this.normalize = b.normalize;
        this.truncateDim = b.truncateDim;
        this.quantization = b.quantization;
        this.ranges = b.ranges;
        this.session = b.session;
        this.emptyText = b.emptyText;
        this.maxBatchSize = b.maxBatchSize;
        this.maxBatchTokens = b.maxBatchTokens;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.modelDir = modelDir;
        b.bundledModel = bundledModel;
        b.onnxVariant = onnxVariant;
        b.onnxFile = onnxFile;
        b.tokenizerFile = tokenizerFile;
        b.modelId = modelId;
        b.maxLength = maxLength;
        b.pooling = pooling;
        b.prompts.putAll(prompts);
        b.defaultPromptName = defaultPromptName;
        b.normalize = normalize;
        b.truncateDim = truncateDim;
        b.quantization = quantization;
        b.ranges = ranges;
        b.session = session;
        b.emptyText = emptyText;
        b.maxBatchSize = maxBatchSize;
        b.maxBatchTokens = maxBatchTokens;
        return b;
    }

    /** The sentence-transformers model directory, or null for a bare ONNX + tokenizer pair. */
    public Path modelDir() {
        return modelDir == null ? null : Path.of(modelDir);
    }

    /** A bare pair bundled on the classpath (see ClasspathModel), or null. */
    public String bundledModel() {
        return bundledModel;
    }

    /** The ONNX export under {@code onnx/} (file name or short name), or null for model.onnx. */
    public String onnxVariant() {
        return onnxVariant;
    }

    /** The bare ONNX graph, or null when a model directory is used. */
    public Path onnxFile() {
        return onnxFile == null ? null : Path.of(onnxFile);
    }

    /** The bare pair's tokenizer.json, or null when a model directory is used. */
    public Path tokenizerFile() {
        return tokenizerFile == null ? null : Path.of(tokenizerFile);
    }

    /** The id reported in embedding metadata, or null for the directory's (file's) name. */
    public String modelId() {
        return modelId;
    }

    /** Max tokens per text, or null for the model's max_seq_length (512 when unknown). */
    public Integer maxLength() {
        return maxLength;
    }

    /** Pooling that overrides the model's, or null (required for a bare pair). */
    public PoolingMode pooling() {
        return pooling;
    }

    /** Prompts (role -> prefix) that replace or add to the model's. */
    public Map<String, String> prompts() {
        return prompts;
    }

    /** The prompt for texts without a role, overriding the model's default, or null. */
    public String defaultPromptName() {
        return defaultPromptName;
    }

    /**
     * Whether to L2-normalize (and re-normalize after truncation): true or false to override the
     * model, or null for the model's choice (see {@link Builder#normalize(Boolean)}).
     */
    public Boolean normalize() {
        return normalize;
    }

    /** Matryoshka truncation dim, or null to keep the model's dims. */
    public Integer truncateDim() {
        return truncateDim;
    }

    public Quantization quantization() {
        return quantization;
    }

    /** int8/uint8 ranges (default: the card's [-1, 1]). */
    public QuantizationRanges ranges() {
        return ranges;
    }

    public SessionSettings session() {
        return session;
    }

    public EmptyTextPolicy emptyText() {
        return emptyText;
    }

    /** Most texts in one ONNX Runtime run. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** Most token positions (longest text x texts) in one ONNX Runtime run. */
    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    /** Collects options; {@link #build()} validates them all. */
    public static final class Builder {
        private String modelDir;
        private String bundledModel;
        private String onnxVariant;
        private String onnxFile;
        private String tokenizerFile;
        private String modelId;
        private Integer maxLength;
        private PoolingMode pooling;
        private final Map<String, String> prompts = new LinkedHashMap<>();
        private String defaultPromptName;
        private Boolean normalize;
        private Integer truncateDim;
        private Quantization quantization = Quantization.FLOAT32;
        private QuantizationRanges ranges = QuantizationRanges.card();
        private SessionSettings session = SessionSettings.defaults();
        private EmptyTextPolicy emptyText = EmptyTextPolicy.REJECT;
        private int maxBatchSize = 32;
        private int maxBatchTokens = 16_384;

        private Builder() {}

        /** A sentence-transformers model directory (the mdbr-leaf-mt layout). */
        public Builder modelDir(Path dir) {
            this.modelDir = dir == null ? null : dir.toString();
            return this;
        }

        /**
         * A bare pair bundled in a jar: {@code <name>.onnx} and {@code <name>-tokenizer.json} at
         * the classpath root (the job jar bundles {@code all-minilm-l6-v2-q}).
         */
        public Builder bundledModel(String name) {
            this.bundledModel = name;
            return this;
        }

        /** Which export under {@code onnx/}: a file name, or fp32, fp16, int8 (= q8), q4, q4f16. */
        public Builder onnxVariant(String variant) {
            this.onnxVariant = variant;
            return this;
        }

        /** A bare ONNX graph; needs {@link #tokenizerFile} and no model directory. */
        public Builder onnxFile(Path file) {
            this.onnxFile = file == null ? null : file.toString();
            return this;
        }

        public Builder tokenizerFile(Path file) {
            this.tokenizerFile = file == null ? null : file.toString();
            return this;
        }

        public Builder modelId(String id) {
            this.modelId = id;
            return this;
        }

        public Builder maxLength(Integer tokens) {
            this.maxLength = tokens;
            return this;
        }

        public Builder pooling(PoolingMode mode) {
            this.pooling = mode;
            return this;
        }

        /** Sets the prompt (prefix) of a role, overriding the model's. */
        public Builder prompt(String role, String prefix) {
            this.prompts.put(role, prefix);
            return this;
        }

        public Builder defaultPromptName(String role) {
            this.defaultPromptName = role;
            return this;
        }

        /**
         * L2-normalize the vectors (true), leave them as the model's last module gives them
         * (false), or follow the model (null, the default): like sentence-transformers, normalize
         * when modules.json lists a Normalize module (mdbr-leaf-mt, all-MiniLM-L6-v2) and not
         * when it lists none (mxbai-embed-large-v1). A bare ONNX + tokenizer pair or a directory
         * without modules.json says nothing; it is normalized, as the sentence-transformers
         * pipelines of the usual retrieval models (and leaf-embed before it read modules.json)
         * do. The same choice decides whether a Matryoshka-truncated vector is re-normalized.
         */
        public Builder normalize(Boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        public Builder truncateDim(Integer dims) {
            this.truncateDim = dims;
            return this;
        }

        public Builder quantization(Quantization quantization) {
            this.quantization = quantization;
            return this;
        }

        public Builder ranges(QuantizationRanges ranges) {
            this.ranges = ranges;
            return this;
        }

        public Builder session(SessionSettings session) {
            this.session = session;
            return this;
        }

        public Builder emptyText(EmptyTextPolicy policy) {
            this.emptyText = policy;
            return this;
        }

        public Builder maxBatchSize(int texts) {
            this.maxBatchSize = texts;
            return this;
        }

        public Builder maxBatchTokens(int tokens) {
            this.maxBatchTokens = tokens;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the option, the rule and the value given
         */
        public EmbedderOptions build() {
            boolean bare = onnxFile != null || tokenizerFile != null;
            if (bundledModel != null) {
                if (bare || modelDir != null) {
                    throw new IllegalArgumentException("give one model: a bundled model ("
                            + bundledModel + "), a model directory or an onnxFile + tokenizerFile pair");
                }
                return validated();
            }
            if (bare && modelDir != null) {
                throw new IllegalArgumentException("give either a model directory (modelDir) or a"
                        + " bare pair (onnxFile + tokenizerFile), not both");
            }
            if (bare && (onnxFile == null || tokenizerFile == null)) {
                throw new IllegalArgumentException("a bare model needs both onnxFile and tokenizerFile"
                        + " but got onnxFile=" + onnxFile + ", tokenizerFile=" + tokenizerFile);
            }
            if (!bare && modelDir == null) {
                throw new IllegalArgumentException("no model: set modelDir (a sentence-transformers"
                        + " directory) or onnxFile + tokenizerFile");
            }
            if (bare && onnxVariant != null) {
                throw new IllegalArgumentException("onnxVariant selects a file under a model"
                        + " directory's onnx/; with a bare onnxFile leave it unset");
            }
            return validated();
        }

        private EmbedderOptions validated() {
            if (maxLength != null && (maxLength < 3 || maxLength > TextTokenizer.MAX_SUPPORTED_LENGTH)) {
                throw new IllegalArgumentException("maxLength must be in [3, "
                        + TextTokenizer.MAX_SUPPORTED_LENGTH + "] but was " + maxLength);
            }
            if (truncateDim != null && truncateDim < 1) {
                throw new IllegalArgumentException("truncateDim must be at least 1 but was " + truncateDim);
            }
            if (quantization == null || session == null || emptyText == null) {
                throw new IllegalArgumentException("quantization, session and emptyText must not be null");
            }
            if (quantization.isScalar() && ranges == null) {
                throw new IllegalArgumentException("quantization " + quantization + " needs ranges");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be at least 1 but was " + maxBatchSize);
            }
            if (maxBatchTokens < TextTokenizer.MAX_SUPPORTED_LENGTH) {
                throw new IllegalArgumentException("maxBatchTokens must be at least "
                        + TextTokenizer.MAX_SUPPORTED_LENGTH + " (one longest text) but was " + maxBatchTokens);
            }
            if (prompts.containsKey(null) || prompts.containsValue(null)) {
                throw new IllegalArgumentException("prompt roles and prefixes must not be null: " + prompts);
            }
            return new EmbedderOptions(this);
        }
    }
}
