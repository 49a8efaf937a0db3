package io.leafembed.testutils;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.pooling.PoolingMode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the build put the real test models: all-MiniLM-L6-v2 fp32 and int8 from Maven Central
 * (unpacked by maven-dependency-plugin into {@code target/test-models}), and options that load
 * them the way sentence-transformers does (mean pooling, max_seq_length 256).
 */
public final class TestModels {

    /** all-MiniLM-L6-v2's sentence-transformers max_seq_length. */
    public static final int MINILM_MAX_LENGTH = 256;

    private TestModels() {}

    /** The folder holding the unpacked models (system property {@code leafembed.testModels}). */
    public static Path root() {
        String configured = System.getProperty("leafembed.testModels");
        Path root = configured != null ? Path.of(configured) : Path.of("target", "test-models");
        if (!Files.isDirectory(root.resolve("all-minilm-l6-v2"))) {
            throw new IllegalStateException("test models missing under " + root.toAbsolutePath()
                    + ": run the tests through Maven (mvn verify), which unpacks them");
        }
        return root;
    }

    public static Path minilmOnnx() {
        return root().resolve("all-minilm-l6-v2/all-minilm-l6-v2.onnx");
    }

    public static Path minilmInt8Onnx() {
        return root().resolve("all-minilm-l6-v2-q/all-minilm-l6-v2-q.onnx");
    }

    public static Path minilmTokenizer() {
        return root().resolve("all-minilm-l6-v2/all-minilm-l6-v2-tokenizer.json");
    }

    /** The fp32 bare pair, configured like sentence-transformers' all-MiniLM-L6-v2. */
    public static EmbedderOptions.Builder minilm() {
        return EmbedderOptions.builder()
                .onnxFile(minilmOnnx())
                .tokenizerFile(minilmTokenizer())
                .pooling(PoolingMode.MEAN)
                .maxLength(MINILM_MAX_LENGTH);
    }

    /** The int8 bare pair, configured like {@link #minilm()}. */
    public static EmbedderOptions.Builder minilmInt8() {
        return minilm().onnxFile(minilmInt8Onnx());
    }
}
