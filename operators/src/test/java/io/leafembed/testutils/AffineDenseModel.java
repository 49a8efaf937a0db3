package io.leafembed.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;

/**
 * A variant of {@link LeafShapedModel} whose Dense layer catches order-of-operations bugs:
 * all-MiniLM-L6-v2's fp32 encoder + mean pooling + a 384 -> 1024 Dense with a bias, a weight
 * matrix that is far from orthonormal (seeded Gaussian entries, columns scaled by factors
 * between 0.22 and 4.5) and a Tanh activation (sentence-transformers' Dense default), and NO
 * Normalize module, like mixedbread-ai/mxbai-embed-large-v1.
 *
 * <p>Bias and Tanh make the Dense output depend on the pooled vector's length, so normalizing
 * before the Dense layer, skipping the bias or the activation, or reading the weight transposed
 * all give different vectors, which the leaf-shaped model (orthonormal, bias-free, Identity,
 * followed by Normalize) cannot tell apart. The expected vectors are computed by numpy from
 * the weights file this class writes and transformers.js's pooled vectors
 * ({@code integration-tests/reference/dense.py}); the reference records the file's SHA-256.
 * Generated once per build under {@code target/test-models/leaf-affine-v1}; {@code
 * onnx/model.onnx} and {@code onnx/model_quantized.onnx} are symbolic links to the unpacked
 * all-MiniLM-L6-v2 fp32 and int8 graphs (single files, no external data).
 */
public final class AffineDenseModel {

    public static final int HIDDEN = 384;
    public static final int DIMS = 1024;
    /** Like the reference ids: all-MiniLM-L6-v2's max_seq_length. */
    public static final int MAX_LENGTH = 256;
    /** The folder name carries the generator's version: a change must not reuse an old folder. */
    private static final String NAME = "leaf-affine-v1";
    private static final long SEED = 20261130L;
    private static final double WEIGHT_SCALE = 0.15;
    private static final double LOG_COLUMN_SCALE_RANGE = 1.5;
    private static final double BIAS_SCALE = 0.5;

    private AffineDenseModel() {}

    /** The generated directory (created on first call). */
    public static synchronized Path directory() {
        Path dir = TestModels.root().resolve(NAME);
        if (Files.isRegularFile(dir.resolve("complete"))) {
            return dir;
        }
        try {
            generate(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * The Dense weight, row-major [1024, 384]: {@code 0.15 x gaussian x s[col]} with {@code s =
     * exp(uniform(-1.5, 1.5))} per input column, so {@code W^T W} is far from a multiple of the
     * identity. StrictMath and java.util.Random make it the same on every JVM.
     */
    public static float[] weight() {
        Random random = new Random(SEED);
        double[] columnScale = new double[HIDDEN];
        for (int c = 0; c < HIDDEN; c++) {
            columnScale[c] = StrictMath.exp((2 * random.nextDouble() - 1) * LOG_COLUMN_SCALE_RANGE);
        }
        float[] weight = new float[DIMS * HIDDEN];
        for (int r = 0; r < DIMS; r++) {
            for (int c = 0; c < HIDDEN; c++) {
                weight[r * HIDDEN + c] = (float) (WEIGHT_SCALE * random.nextGaussian() * columnScale[c]);
            }
        }
        return weight;
    }

    /** The Dense bias, 1024 values of {@code 0.5 x gaussian} (a seed of its own). */
    public static float[] bias() {
        Random random = new Random(SEED + 1);
        float[] bias = new float[DIMS];
        for (int r = 0; r < DIMS; r++) {
            bias[r] = (float) (BIAS_SCALE * random.nextGaussian());
        }
        return bias;
    }

    private static void generate(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("onnx"));
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.createDirectories(dir.resolve("2_Dense"));
        Path onnx = dir.resolve("onnx/model.onnx");
        Files.deleteIfExists(onnx);
        Files.createSymbolicLink(onnx, TestModels.minilmOnnx().toAbsolutePath());
        Path int8 = dir.resolve("onnx/model_quantized.onnx");
        Files.deleteIfExists(int8);
        Files.createSymbolicLink(int8, TestModels.minilmInt8Onnx().toAbsolutePath());
        Files.copy(TestModels.minilmTokenizer(), dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("modules.json"), """
                [
                  {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                  {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                  {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
                ]
                """);
        Files.writeString(dir.resolve("1_Pooling/config.json"), """
                {"word_embedding_dimension": 384, "pooling_mode_cls_token": false,
                 "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false,
                 "pooling_mode_mean_sqrt_len_tokens": false, "pooling_mode_weightedmean_tokens": false,
                 "pooling_mode_lasttoken": false, "include_prompt": true}
                """);
        Files.writeString(dir.resolve("2_Dense/config.json"), """
                {"in_features": 384, "out_features": 1024, "bias": true,
                 "activation_function": "torch.nn.modules.activation.Tanh"}
                """);
        new SafetensorsWriter()
                .add("linear.weight", new long[] {DIMS, HIDDEN}, weight())
                .add("linear.bias", new long[] {DIMS}, bias())
                .write(dir.resolve("2_Dense/model.safetensors"));
        Files.writeString(dir.resolve("sentence_bert_config.json"), """
                {"max_seq_length": %d, "do_lower_case": false}
                """.formatted(MAX_LENGTH));
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6,
                 "num_attention_heads": 12, "intermediate_size": 1536, "vocab_size": 30522,
                 "max_position_embeddings": 512, "type_vocab_size": 2}
                """);
        Files.writeString(dir.resolve("complete"), "generated by AffineDenseModel\n");
    }
}
