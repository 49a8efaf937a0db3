package io.leafembed.testutils;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;

/**
 * Generates a model directory with exactly MongoDB/mdbr-leaf-mt's structure and known math:
 * all-MiniLM-L6-v2's encoder (mdbr-leaf-mt's base architecture: same shape, vocabulary and mean
 * pooling) + a 1024x384 Dense layer whose columns are orthonormal + Normalize + the leaf prompts.
 *
 * <p>Orthonormal columns preserve inner products ({@code W^T W = I}), so this model's cosine
 * between two texts equals the 384-d model's: the Dense path can be tested without the real
 * weights. The fp32 graph is re-saved by ONNX Runtime with its weights in an external {@code
 * onnx/model.onnx_data} file, like the hub's exports; {@code onnx/model_quantized.onnx} is the
 * int8 graph. Generated once per build under {@code target/test-models/leaf-shaped}.
 */
public final class LeafShapedModel {

    public static final String QUERY_PROMPT = "Represent this sentence for searching relevant passages: ";
    public static final int HIDDEN = 384;
    public static final int DIMS = 1024;
    private static final long SEED = 20250915L;

    private LeafShapedModel() {}

    /** The generated directory (created on first call). */
    public static synchronized Path directory() {
        Path dir = TestModels.root().resolve("leaf-shaped");
        if (Files.isRegularFile(dir.resolve("complete"))) {
            return dir;
        }
        try {
            generate(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot re-save the ONNX graph with external data", e);
        }
        return dir;
    }

    /**
     * A copy of the generated directory to break on purpose: small files copied, the int8 graph
     * linked, the fp32 graph left out (ONNX Runtime refuses external data reached through a link,
     * and tests that copy use the int8 variant).
     */
    public static Path copyTo(Path target) throws IOException {
        Path source = directory();
        try (java.util.stream.Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else if (file.endsWith("model_quantized.onnx")) {
                    Files.createSymbolicLink(copy, file);
                } else if (!file.getFileName().toString().startsWith("model.onnx")) {
                    Files.copy(file, copy);
                }
            }
        }
        return target;
    }

    /** The Dense weight, row-major [1024, 384], with orthonormal columns. */
    public static float[] orthonormalWeight() {
        Random random = new Random(SEED);
        double[][] columns = new double[HIDDEN][DIMS];
        for (int c = 0; c < HIDDEN; c++) {
            double[] v = columns[c];
            for (int r = 0; r < DIMS; r++) {
                v[r] = random.nextGaussian();
            }
            // modified Gram-Schmidt, twice for float-level orthogonality
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < c; p++) {
                    double dot = 0;
                    for (int r = 0; r < DIMS; r++) {
                        dot += v[r] * columns[p][r];
                    }
                    for (int r = 0; r < DIMS; r++) {
                        v[r] -= dot * columns[p][r];
                    }
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int r = 0; r < DIMS; r++) {
                v[r] /= norm;
            }
        }
        float[] weight = new float[DIMS * HIDDEN];
        for (int r = 0; r < DIMS; r++) {
            for (int c = 0; c < HIDDEN; c++) {
                weight[r * HIDDEN + c] = (float) columns[c][r];
            }
        }
        return weight;
    }

    private static void generate(Path dir) throws IOException, OrtException {
        Files.createDirectories(dir.resolve("onnx"));
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.createDirectories(dir.resolve("2_Dense"));
        Files.createDirectories(dir.resolve("3_Normalize"));
        saveWithExternalData(TestModels.minilmOnnx(), dir.resolve("onnx/model.onnx"));
        Files.copy(TestModels.minilmInt8Onnx(), dir.resolve("onnx/model_quantized.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(TestModels.minilmTokenizer(), dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        write(dir.resolve("modules.json"), """
                [
                  {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                  {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                  {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
                  {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}
                ]
                """);
        write(dir.resolve("1_Pooling/config.json"), """
                {"word_embedding_dimension": 384, "pooling_mode_cls_token": false,
                 "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false,
                 "pooling_mode_mean_sqrt_len_tokens": false, "pooling_mode_weightedmean_tokens": false,
                 "pooling_mode_lasttoken": false, "include_prompt": true}
                """);
        write(dir.resolve("2_Dense/config.json"), """
                {"in_features": 384, "out_features": 1024, "bias": false,
                 "activation_function": "torch.nn.modules.linear.Identity"}
                """);
        new SafetensorsWriter()
                .add("linear.weight", new long[] {DIMS, HIDDEN}, orthonormalWeight())
                .write(dir.resolve("2_Dense/model.safetensors"));
        write(dir.resolve("config_sentence_transformers.json"), """
                {"prompts": {"query": "%s", "document": ""},
                 "default_prompt_name": null, "similarity_fn_name": "cosine"}
                """.formatted(QUERY_PROMPT));
        write(dir.resolve("sentence_bert_config.json"), """
                {"max_seq_length": 512, "do_lower_case": false}
                """);
        write(dir.resolve("config.json"), """
                {"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6,
                 "num_attention_heads": 12, "intermediate_size": 1536, "vocab_size": 30522,
                 "max_position_embeddings": 512, "type_vocab_size": 2}
                """);
        write(dir.resolve("complete"), "generated by LeafShapedModel\n");
    }

    /** Re-saves {@code source} with every initializer in {@code <target>_data}, like the hub's exports. */
    private static void saveWithExternalData(Path source, Path target) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
            options.setOptimizedModelFilePath(target.toString());
            options.addConfigEntry("session.optimized_model_external_initializers_file_name",
                    target.getFileName() + "_data");
            options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            env.createSession(source.toString(), options).close();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }
}
