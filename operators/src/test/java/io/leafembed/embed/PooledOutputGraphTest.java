package io.leafembed.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.TinyOnnxGraph;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graph that outputs {@code sentence_embedding} (pooling and Dense inside the export) is used
 * as it is: no pooling config needed, no token_type_ids fed when the graph does not declare
 * them, and only normalization, truncation and quantization applied after it.
 */
class PooledOutputGraphTest {

    @TempDir
    Path tmp;

    @Test
    void usesTheGraphsSentenceEmbedding() throws Exception {
        Path onnx = tmp.resolve("tiny.onnx");
        TinyOnnxGraph.write(onnx);
        // no pooling option: the graph pools itself
        try (Embedder embedder = Embedder.open(EmbedderOptions.builder()
                .onnxFile(onnx).tokenizerFile(TestModels.minilmTokenizer()).maxLength(64).build())) {
            assertThat(embedder.modelDims()).isEqualTo(4);
            List<Embedding> out = embedder.embed(List.of(TextInput.document("short"),
                    TextInput.document("a somewhat longer text with many more tokens in it")));
            double norm = Math.sqrt(30);
            for (Embedding e : out) {
                assertThat(e.vector()).hasSize(4);
                for (int i = 0; i < 4; i++) {
                    assertThat((double) e.vector()[i]).isCloseTo((i + 1) / norm, within(1e-6));
                }
            }
            assertThat(out.get(1).tokenCount()).isGreaterThan(out.get(0).tokenCount());
        }
        try (Embedder truncated = Embedder.open(EmbedderOptions.builder()
                .onnxFile(onnx).tokenizerFile(TestModels.minilmTokenizer()).truncateDim(2).build())) {
            float[] v = truncated.embed(TextInput.document("x")).vector();
            assertThat((double) v[0]).isCloseTo(1 / Math.sqrt(5), within(1e-6));
            assertThat((double) v[1]).isCloseTo(2 / Math.sqrt(5), within(1e-6));
        }
    }
}
