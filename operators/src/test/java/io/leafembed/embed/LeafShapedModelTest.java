package io.leafembed.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mdbr-leaf-mt code path (modules.json, Pooling, Dense from safetensors, Normalize, prompts,
 * external ONNX data) on a generated directory with mdbr-leaf-mt's exact structure and known
 * math: its cosines must equal all-MiniLM-L6-v2's.
 */
class LeafShapedModelTest {

    private static final List<String> TEXTS = List.of(
            "What is machine learning?",
            "Machine learning is a subset of artificial intelligence that learns from data.",
            "How does neural network training work?",
            "Neural networks are trained with backpropagation and gradient descent.",
            "The cat sat on the mat.",
            "Börsenkurse fielen am Montag um 3,5 % – die Anleger sind nervös.",
            "東京は日本の首都です。",
            "🚀 Launch at 10:30 UTC, see https://example.org/launch?id=42");

    private static Path dir;
    private static Embedder leaf;
    private static Embedder minilm;

    @BeforeAll
    static void open() {
        dir = LeafShapedModel.directory();
        leaf = Embedder.open(EmbedderOptions.builder().modelDir(dir).build());
        minilm = Embedder.open(TestModels.minilm().maxLength(512).build());
    }

    @AfterAll
    static void close() {
        leaf.close();
        minilm.close();
    }

    @Test
    void loadsTheLeafLayoutWithExternalOnnxData() throws Exception {
        assertThat(dir.resolve("onnx/model.onnx_data")).exists();
        assertThat(Files.size(dir.resolve("onnx/model.onnx"))).isLessThan(5_000_000L);
        assertThat(leaf.modelDims()).isEqualTo(1024);
        assertThat(leaf.dims()).isEqualTo(1024);
        assertThat(leaf.maxLength()).isEqualTo(512);
        assertThat(leaf.modelId()).isEqualTo("leaf-shaped");
        assertThat(leaf.roles()).containsExactly("document", "query");
    }

    @Test
    void vectorsHave1024UnitNormDims() {
        assertThat(leaf.normalizes()).as("modules.json lists Normalize").isTrue();
        for (Embedding e : leaf.embed(TEXTS.stream().map(TextInput::document).toList())) {
            assertThat(e.vector()).hasSize(1024);
            assertThat(e.dims()).isEqualTo(1024);
            assertThat(Vectors.norm(e.vector())).isCloseTo(1.0, within(1e-6));
            assertThat(e.normalized()).isTrue();
        }
    }

    @Test
    void cosinesEqualThe384DimModels() {
        List<Embedding> big = leaf.embed(TEXTS.stream().map(TextInput::document).toList());
        List<Embedding> small = minilm.embed(TEXTS.stream().map(TextInput::document).toList());
        assertThat(small.get(0).vector()).hasSize(384);
        double worst = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
            for (int j = i + 1; j < TEXTS.size(); j++) {
                double leafCos = Vectors.cosine(big.get(i).vector(), big.get(j).vector());
                double minilmCos = Vectors.cosine(small.get(i).vector(), small.get(j).vector());
                worst = Math.max(worst, Math.abs(leafCos - minilmCos));
            }
        }
        assertThat(worst).isLessThan(1e-5);
    }

    @Test
    void queryPromptReachesQueriesOnly() {
        String text = TEXTS.get(0);
        Embedding query = leaf.embed(TextInput.query(text));
        Embedding document = leaf.embed(TextInput.document(text));
        Embedding prefixedByHand = leaf.embed(TextInput.document(LeafShapedModel.QUERY_PROMPT + text));
        assertThat(Vectors.maxAbsDiff(query.vector(), prefixedByHand.vector())).isLessThan(1e-6);
        assertThat(Vectors.cosine(query.vector(), document.vector())).isLessThan(0.99);
        assertThat(query.tokenCount()).isEqualTo(prefixedByHand.tokenCount());
        assertThat(document.tokenCount()).isEqualTo(7); // [CLS] what is machine learning ? [SEP]
        assertThat(query.role()).isEqualTo("query");
    }

    @Test
    void truncationTo256GivesUnitNormPrefix() {
        try (Embedder truncated = Embedder.open(dir, EmbedderOptions.builder().modelDir(dir).truncateDim(256).build())) {
            Embedding full = leaf.embed(TextInput.document(TEXTS.get(1)));
            Embedding cut = truncated.embed(TextInput.document(TEXTS.get(1)));
            assertThat(cut.vector()).hasSize(256);
            assertThat(cut.dims()).isEqualTo(256);
            assertThat(Vectors.norm(cut.vector())).isCloseTo(1.0, within(1e-6));
            float[] prefix = java.util.Arrays.copyOf(full.vector(), 256);
            assertThat(Vectors.cosine(prefix, cut.vector())).isCloseTo(1.0, within(1e-6));
        }
    }

    @Test
    void int8VariantLoadsAndAgrees() {
        try (Embedder int8 = Embedder.open(EmbedderOptions.builder().modelDir(dir).onnxVariant("int8").build())) {
            for (String text : TEXTS) {
                double cos = Vectors.cosine(int8.embed(TextInput.document(text)).vector(),
                        leaf.embed(TextInput.document(text)).vector());
                assertThat(cos).as(text).isGreaterThan(0.95);
            }
        }
    }
}
