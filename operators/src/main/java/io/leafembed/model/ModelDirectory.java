package io.leafembed.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.pooling.Activation;
import io.leafembed.pooling.DenseLayer;
import io.leafembed.pooling.PoolingMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The files of a model on disk, read and checked: either a sentence-transformers directory (the
 * layout of MongoDB/mdbr-leaf-mt on the Hugging Face hub) or a bare ONNX graph + tokenizer.json
 * pair.
 *
 * <p>A sentence-transformers directory holds {@code modules.json} (the pipeline: Transformer ->
 * Pooling -> Dense... -> Normalize), {@code 1_Pooling/config.json}, {@code 2_Dense/config.json}
 * with {@code model.safetensors}, {@code config_sentence_transformers.json} (prompts),
 * {@code sentence_bert_config.json} (max_seq_length), {@code tokenizer.json} and ONNX exports
 * under {@code onnx/} ({@code model.onnx}, {@code model_quantized.onnx}, {@code model_fp16.onnx}
 * ...), whose weights may sit in an external {@code <graph>.onnx_data} file beside the graph.
 * What a directory does not say (no modules.json, a bare pair) is left null here and must come
 * from the options.
 */
public final class ModelDirectory {

    /** Short names for the usual ONNX exports under {@code onnx/}. */
    private static final Map<String, String> VARIANTS = Map.of(
            "fp32", "model.onnx",
            "fp16", "model_fp16.onnx",
            "int8", "model_quantized.onnx",
            "q8", "model_quantized.onnx",
            "quantized", "model_quantized.onnx",
            "q4", "model_q4.onnx",
            "q4f16", "model_q4f16.onnx");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String modelId;
    private final Path onnxFile;
    private final Path tokenizerFile;
    private final PoolingMode pooling;
    private final boolean poolingIncludesPrompt;
    private final List<DenseLayer> denseLayers;
    private final boolean hasModules;
    private final boolean normalizeModule;
    private final Map<String, String> prompts;
    private final String defaultPromptName;
    private final Integer maxSeqLength;
    private final Integer maxPositionEmbeddings;

    private ModelDirectory(Builder b) {
        this.modelId = b.modelId;
        this.onnxFile = b.onnxFile;
        this.tokenizerFile = b.tokenizerFile;
        this.pooling = b.pooling;
        this.poolingIncludesPrompt = b.poolingIncludesPrompt;
        this.denseLayers = List.copyOf(b.denseLayers);
        this.hasModules = b.hasModules;
        this.normalizeModule = b.normalizeModule;
        this.prompts = Collections.unmodifiableMap(new LinkedHashMap<>(b.prompts));
        this.defaultPromptName = b.defaultPromptName;
        this.maxSeqLength = b.maxSeqLength;
        this.maxPositionEmbeddings = b.maxPositionEmbeddings;
    }

    /**
     * Reads a sentence-transformers model directory.
     *
     * @param onnxVariant a file name under {@code onnx/} ({@code model_quantized.onnx}), a short
     *     name ({@code fp32}, {@code int8}, {@code fp16}, {@code q4}...), or null for {@code
     *     model.onnx}
     * @throws ModelLoadException naming the missing or malformed file and the fix
     */
    public static ModelDirectory read(Path dir, String onnxVariant) {
        String id = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException(id, "model directory " + dir + " does not exist or is not a"
                    + " directory: download the model (see README) or pass the right path");
        }
        Builder b = new Builder(id);
        b.onnxFile = resolveOnnx(id, dir, onnxVariant);
        b.tokenizerFile = dir.resolve("tokenizer.json");
        requireFile(id, b.tokenizerFile, "the model's fast tokenizer; copy tokenizer.json from the"
                + " model repository into " + dir);
        readModules(id, dir, b);
        readPrompts(id, dir, b);
        JsonNode sbert = readJsonIfPresent(id, dir.resolve("sentence_bert_config.json"));
        if (sbert != null && sbert.hasNonNull("max_seq_length")) {
            b.maxSeqLength = sbert.get("max_seq_length").asInt();
        }
        JsonNode config = readJsonIfPresent(id, dir.resolve("config.json"));
        if (config != null && config.hasNonNull("max_position_embeddings")) {
            b.maxPositionEmbeddings = config.get("max_position_embeddings").asInt();
        }
        return new ModelDirectory(b);
    }

    /**
     * A bare ONNX graph and tokenizer.json (the layout of the Maven Central test models): pooling,
     * max length and prompts are not known and must come from the options.
     */
    public static ModelDirectory bare(Path onnxFile, Path tokenizerFile) {
        String name = String.valueOf(onnxFile.getFileName());
        String id = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        Builder b = new Builder(id);
        requireFile(id, onnxFile, "the ONNX graph; pass the path of an existing .onnx file");
        requireFile(id, tokenizerFile, "the tokenizer; pass the path of the model's tokenizer.json");
        b.onnxFile = onnxFile;
        b.tokenizerFile = tokenizerFile;
        return new ModelDirectory(b);
    }

    private static Path resolveOnnx(String id, Path dir, String variant) {
        String fileName = variant == null || variant.isBlank()
                ? "model.onnx"
                : VARIANTS.getOrDefault(variant.trim(), variant.trim());
        List<Path> candidates = List.of(dir.resolve("onnx").resolve(fileName), dir.resolve(fileName));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new ModelLoadException(id, "no ONNX graph '" + fileName + "' in " + dir.resolve("onnx")
                + " or " + dir + " (found: " + listOnnx(dir) + "); download the model's onnx/ folder"
                + " (with any .onnx_data file) or choose an existing variant");
    }

    private static String listOnnx(Path dir) {
        List<String> found = new ArrayList<>();
        for (Path folder : List.of(dir.resolve("onnx"), dir)) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    files.filter(p -> p.toString().endsWith(".onnx"))
                            .map(p -> dir.relativize(p).toString())
                            .sorted()
                            .forEach(found::add);
                } catch (IOException e) {
                    found.add("<unreadable " + folder + ">");
                }
            }
        }
        return found.isEmpty() ? "none" : String.join(", ", found);
    }

    private static void readModules(String id, Path dir, Builder b) {
        JsonNode modules = readJsonIfPresent(id, dir.resolve("modules.json"));
        if (modules == null) {
            return;
        }
        if (!modules.isArray()) {
            throw new ModelLoadException(id, dir.resolve("modules.json") + " must be a JSON array of modules");
        }
        b.hasModules = true;
        for (JsonNode module : modules) {
            String type = module.path("type").asText();
            Path path = dir.resolve(module.path("path").asText(""));
            String simpleType = type.substring(type.lastIndexOf('.') + 1);
            switch (simpleType) {
                case "Transformer":
                    break;
                case "Pooling":
                    readPooling(id, path.resolve("config.json"), b);
                    break;
                case "Dense":
                    b.denseLayers.add(readDense(id, path));
                    break;
                case "Normalize":
                    b.normalizeModule = true;
                    break;
                default:
                    throw new ModelLoadException(id, "modules.json lists module type '" + type
                            + "', which leaf-embed does not implement (supported: Transformer,"
                            + " Pooling, Dense, Normalize)");
            }
        }
    }

    private static void readPooling(String id, Path config, Builder b) {
        JsonNode pooling = readJson(id, config, "the Pooling module's configuration");
        List<PoolingMode> modes = new ArrayList<>();
        if (pooling.hasNonNull("pooling_mode")) {
            modes.add(parsePooling(id, config, pooling.get("pooling_mode").asText()));
        }
        for (Map.Entry<String, JsonNode> field : pooling.properties()) {
            if (field.getKey().startsWith("pooling_mode_") && field.getValue().asBoolean(false)) {
                modes.add(parsePooling(id, config, field.getKey()));
            }
        }
        List<PoolingMode> distinct = modes.stream().distinct().collect(Collectors.toList());
        if (distinct.size() != 1) {
            throw new ModelLoadException(id, config + " must select exactly one pooling mode but"
                    + " selects " + (distinct.isEmpty() ? "none" : distinct)
                    + "; set one of pooling_mode_mean_tokens, pooling_mode_cls_token,"
                    + " pooling_mode_max_tokens to true");
        }
        b.pooling = distinct.get(0);
        b.poolingIncludesPrompt = pooling.path("include_prompt").asBoolean(true);
    }

    private static PoolingMode parsePooling(String id, Path config, String name) {
        try {
            return PoolingMode.fromId(name);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(id, config + ": " + e.getMessage());
        }
    }

    private static DenseLayer readDense(String id, Path dir) {
        Path configFile = dir.resolve("config.json");
        JsonNode config = readJson(id, configFile, "the Dense module's configuration");
        int in = config.path("in_features").asInt(-1);
        int out = config.path("out_features").asInt(-1);
        if (in < 1 || out < 1) {
            throw new ModelLoadException(id, configFile + " needs positive in_features and out_features");
        }
        Activation activation;
        try {
            activation = Activation.fromTorchName(
                    config.path("activation_function").asText("torch.nn.modules.activation.Tanh"));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(id, configFile + ": " + e.getMessage());
        }
        boolean hasBias = config.path("bias").asBoolean(true);
        Path weights = dir.resolve("model.safetensors");
        requireFile(id, weights, "the Dense weights (only safetensors is read: convert a"
                + " pytorch_model.bin with sentence-transformers, or download model.safetensors)");
        try {
            SafetensorsFile file = SafetensorsFile.open(weights);
            SafetensorsFile.Tensor w = file.read("linear.weight");
            if (w.shape().length != 2 || w.shape()[0] != out || w.shape()[1] != in) {
                throw new ModelLoadException(id, weights + ": linear.weight has shape "
                        + java.util.Arrays.toString(w.shape()) + " but " + configFile + " says ["
                        + out + ", " + in + "] (out_features, in_features)");
            }
            float[] bias = null;
            if (hasBias) {
                if (!file.contains("linear.bias")) {
                    throw new ModelLoadException(id, weights + " has no linear.bias but " + configFile
                            + " says bias: true");
                }
                bias = file.read("linear.bias").values();
            }
            return new DenseLayer(in, out, w.values(), bias, activation);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelLoadException(id, "cannot read Dense weights " + weights + ": " + e.getMessage(), e);
        }
    }

    private static void readPrompts(String id, Path dir, Builder b) {
        JsonNode config = readJsonIfPresent(id, dir.resolve("config_sentence_transformers.json"));
        if (config == null) {
            return;
        }
        JsonNode prompts = config.path("prompts");
        for (Map.Entry<String, JsonNode> prompt : prompts.properties()) {
            b.prompts.put(prompt.getKey(), prompt.getValue().asText(""));
        }
        if (config.hasNonNull("default_prompt_name")) {
            b.defaultPromptName = config.get("default_prompt_name").asText();
        }
    }

    private static void requireFile(String id, Path file, String whatAndFix) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(id, "missing " + file + ": " + whatAndFix);
        }
    }

    private static JsonNode readJson(String id, Path file, String what) {
        requireFile(id, file, what + " is part of the sentence-transformers layout; download it"
                + " with the rest of the model");
        return readJsonIfPresent(id, file);
    }

    private static JsonNode readJsonIfPresent(String id, Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(id, "malformed JSON in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The directory's name, or the ONNX file's name without extension for a bare pair. */
    public String modelId() {
        return modelId;
    }

    public Path onnxFile() {
        return onnxFile;
    }

    public Path tokenizerFile() {
        return tokenizerFile;
    }

    /** The Pooling module's mode, or null when the directory does not say. */
    public PoolingMode pooling() {
        return pooling;
    }

    /** Pooling's {@code include_prompt}: false means prompt tokens are left out of the mean. */
    public boolean poolingIncludesPrompt() {
        return poolingIncludesPrompt;
    }

    /** The Dense modules after pooling, in pipeline order (empty for most models). */
    public List<DenseLayer> denseLayers() {
        return denseLayers;
    }

    /** Whether modules.json lists a Normalize module. */
    public boolean hasNormalizeModule() {
        return normalizeModule;
    }

    /**
     * Whether the model's own pipeline L2-normalizes its output, as sentence-transformers runs
     * it: true when modules.json lists a Normalize module, false when modules.json lists none
     * (mixedbread-ai/mxbai-embed-large-v1), null when nothing says (a bare pair, or a directory
     * without modules.json).
     */
    public Boolean normalizes() {
        return hasModules ? normalizeModule : null;
    }

    /** Named prompts from config_sentence_transformers.json, in file order. */
    public Map<String, String> prompts() {
        return prompts;
    }

    /** config_sentence_transformers.json's default_prompt_name, or null. */
    public String defaultPromptName() {
        return defaultPromptName;
    }

    /** sentence_bert_config.json's max_seq_length, or null. */
    public Integer maxSeqLength() {
        return maxSeqLength;
    }

    /** config.json's max_position_embeddings (the hard limit of the encoder), or null. */
    public Integer maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    private static final class Builder {
        final String modelId;
        Path onnxFile;
        Path tokenizerFile;
        PoolingMode pooling;
        boolean poolingIncludesPrompt = true;
        final List<DenseLayer> denseLayers = new ArrayList<>();
        boolean hasModules;
        boolean normalizeModule;
        final Map<String, String> prompts = new LinkedHashMap<>();
        String defaultPromptName;
        Integer maxSeqLength;
        Integer maxPositionEmbeddings;

        Builder(String modelId) {
            this.modelId = modelId;
        }
    }
}
