package io.leafembed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Contender (f): transformers.js (the model card's own JavaScript path) under node, on the same
 * graph files, local-only loading, through {@code benchmarks/src/main/js/embed-bench.mjs}. The
 * benchmark installs {@code @huggingface/transformers} into {@code target/node} on first use
 * (npm; {@code ONNXRUNTIME_NODE_INSTALL=skip}, the CPU runtime is inside the package) and is
 * skipped with a message when node or npm is missing. Only the bare all-MiniLM-L6-v2 graphs: the
 * feature-extraction pipeline has no Dense layer.
 */
final class TransformersJsRun {

    static final String VERSION = "4.3.1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path script;

    private TransformersJsRun(Path dir, Path script) {
        this.dir = dir;
        this.script = script;
    }

    /** Ready to run, or empty with the reason printed. */
    static Optional<TransformersJsRun> prepare(Path repo, Path work, BenchModel fp32, BenchModel int8) {
        try {
            if (!onPath("node") || !onPath("npm")) {
                System.out.println("(f) transformers.js skipped: node and npm are not installed"
                        + " (Debian: apt-get install nodejs npm)");
                return Optional.empty();
            }
            Path dir = work.resolve("node");
            Files.createDirectories(dir);
            Path installed = dir.resolve("node_modules/@huggingface/transformers/package.json");
            if (!Files.exists(installed)) {
                Files.writeString(dir.resolve("package.json"), "{\"private\": true, \"type\": \"module\"}\n");
                System.out.println("(f) installing @huggingface/transformers@" + VERSION + " into " + dir);
                ProcessRun.start(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                        "@huggingface/transformers@" + VERSION), dir, Map.of("ONNXRUNTIME_NODE_INSTALL", "skip"),
                        work.resolve("logs"));
            }
            Path script = dir.resolve("embed-bench.mjs");
            Files.copy(repo.resolve("benchmarks/src/main/js/embed-bench.mjs"), script,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            writeModelFolder(dir.resolve("models/all-minilm-l6-v2"), fp32, int8);
            return Optional.of(new TransformersJsRun(dir, script));
        } catch (Exception e) {
            System.out.println("(f) transformers.js skipped: " + e.getMessage());
            return Optional.empty();
        }
    }

    Measurement run(BenchModel model, List<String> texts, long realTokens, int batchSize) throws Exception {
        Path textsFile = dir.resolve("texts.json");
        JSON.writeValue(textsFile.toFile(), texts);
        ProcessRun run = ProcessRun.start(List.of("node", script.toString(), dir.resolve("models").toString(),
                "all-minilm-l6-v2", model.dtype(), textsFile.toString(), String.valueOf(batchSize), "64"),
                dir, Map.of(), dir.resolve("logs"));
        String[] lines = run.stdout().strip().split("\n");
        JsonNode result = JSON.readTree(lines[lines.length - 1]);
        if (result.get("texts").asInt() != texts.size()) {
            throw new IllegalStateException("transformers.js embedded " + result.get("texts") + " of " + texts.size());
        }
        long wall = (long) (result.get("seconds").asDouble() * 1e9);
        long cpu = (long) (result.get("cpuSeconds").asDouble() * 1e9);
        return new Measurement("(f) transformers.js, batch " + batchSize, model.name(), texts.size(), realTokens,
                0, wall, cpu, batchSize == 1 ? "one text per call" : "batches in arrival order");
    }

    private static void writeModelFolder(Path folder, BenchModel fp32, BenchModel int8) throws IOException {
        Files.createDirectories(folder.resolve("onnx"));
        Files.writeString(folder.resolve("config.json"), """
                {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 384,
                 "intermediate_size": 1536, "num_attention_heads": 12, "num_hidden_layers": 6,
                 "max_position_embeddings": 512, "type_vocab_size": 2, "vocab_size": 30522,
                 "pad_token_id": 0, "hidden_act": "gelu", "layer_norm_eps": 1e-12}
                """);
        Files.writeString(folder.resolve("tokenizer_config.json"), """
                {"cls_token": "[CLS]", "do_basic_tokenize": true, "do_lower_case": true,
                 "mask_token": "[MASK]", "model_max_length": 256, "pad_token": "[PAD]",
                 "sep_token": "[SEP]", "strip_accents": null, "tokenize_chinese_chars": true,
                 "tokenizer_class": "BertTokenizer", "unk_token": "[UNK]"}
                """);
        Files.copy(fp32.tokenizer(), folder.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        link(folder.resolve("onnx/model.onnx"), fp32.onnx());
        link(folder.resolve("onnx/model_quantized.onnx"), int8.onnx());
    }

    private static void link(Path link, Path target) throws IOException {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target.toAbsolutePath());
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
