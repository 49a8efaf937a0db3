package io.leafembed.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.leafembed.model.ModelLoadException;
import io.leafembed.pooling.Activation;
import io.leafembed.pooling.DenseLayer;
import io.leafembed.postprocess.L2Normalizer;
import io.leafembed.postprocess.Quantization;
import io.leafembed.postprocess.QuantizationRanges;
import io.leafembed.testutils.AffineDenseModel;
import io.leafembed.testutils.ReferenceData;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pooling -> Dense (bias, non-orthonormal weight, Tanh) -> no Normalize, against numpy: the
 * {@link AffineDenseModel} directory has no Normalize module, so by default its vectors are the
 * Dense output as sentence-transformers gives it (not unit length), and normalizing is what
 * the option forces. The expected vectors come from integration-tests/reference/ (transformers.js
 * pools, numpy applies the Dense weights read from the same safetensors file); the wrong orders
 * a pipeline could run in are checked to miss them by a clear margin, so the comparison has
 * teeth.
 */
class AffineDenseModelTest {

    /** transformers.js and Java ONNX Runtime pool within ~2e-6 here; Dense spreads it a little. */
    private static final double TOLERANCE = 1e-5;
    /**
     * Every wrong order must miss the reference on some coordinate by 100 times what the right
     * order is allowed (they miss by 0.04 to 1.7; a unit 1024-d vector's coordinates are ~0.03).
     */
    private static final double WRONG_ORDER_MARGIN = 100 * TOLERANCE;

    private static Path dir;
    private static JsonNode reference;
    /** id -> text, transformers.js pooled vector, numpy's Dense output */
    private static final Map<Integer, String> TEXTS = new LinkedHashMap<>();
    private static final Map<Integer, float[]> POOLED = new LinkedHashMap<>();
    private static final Map<Integer, float[]> DENSE = new LinkedHashMap<>();
    private static Embedder modelsChoice;
    private static Embedder forcedUnit;

    @BeforeAll
    static void load() {
        dir = AffineDenseModel.directory();
        reference = ReferenceData.json("leaf-affine-dense.json");
        for (JsonNode t : ReferenceData.json("all-minilm-l6-v2-pooled.json").get("texts")) {
            TEXTS.put(t.get("id").asInt(), t.get("text").asText());
            POOLED.put(t.get("id").asInt(), ReferenceData.floats(t.get("pooled").asText()));
        }
        for (JsonNode t : reference.get("texts")) {
            DENSE.put(t.get("id").asInt(), ReferenceData.floats(t.get("dense").asText()));
        }
        assertThat(DENSE.keySet()).isEqualTo(POOLED.keySet());
        modelsChoice = Embedder.open(EmbedderOptions.builder().modelDir(dir).build());
        forcedUnit = Embedder.open(EmbedderOptions.builder().modelDir(dir).normalize(true).build());
    }

    @AfterAll
    static void close() {
        modelsChoice.close();
        forcedUnit.close();
    }

    private static List<TextInput> inputs() {
        return TEXTS.values().stream().map(TextInput::document).toList();
    }

    private static List<float[]> vectors(List<Embedding> embeddings) {
        return embeddings.stream().map(Embedding::vector).toList();
    }

    @Test
    void weightsAreTheFileTheReferenceWasComputedFrom() throws Exception {
        byte[] file = Files.readAllBytes(dir.resolve("2_Dense/model.safetensors"));
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        assertThat(sha256).as("AffineDenseModel changed: regenerate leaf-affine-dense.json with"
                + " integration-tests/reference/dense.py").isEqualTo(reference.get("weightsSha256").asText());
    }

    @Test
    void withoutNormalizeModuleVectorsAreTheDenseOutputAsIs() {
        assertThat(modelsChoice.normalizes()).isFalse();
        List<Embedding> out = modelsChoice.embed(inputs());
        List<Integer> ids = new ArrayList<>(TEXTS.keySet());
        for (int i = 0; i < ids.size(); i++) {
            Embedding e = out.get(i);
            float[] expected = DENSE.get(ids.get(i));
            assertThat(e.normalized()).isFalse();
            assertThat(e.vector()).hasSize(AffineDenseModel.DIMS);
            assertThat(Vectors.maxAbsDiff(e.vector(), expected)).as("text %d", ids.get(i)).isLessThan(TOLERANCE);
            // tanh outputs of a 1024-d vector: far from unit length
            assertThat(Vectors.norm(e.vector())).as("norm of text %d", ids.get(i)).isGreaterThan(5.0);
        }
    }

    @Test
    void normalizeOptionTrueGivesTheUnitReference() {
        assertThat(forcedUnit.normalizes()).isTrue();
        List<Embedding> out = forcedUnit.embed(inputs());
        List<Integer> ids = new ArrayList<>(TEXTS.keySet());
        for (int i = 0; i < ids.size(); i++) {
            float[] expected = L2Normalizer.normalizeInPlace(DENSE.get(ids.get(i)).clone());
            assertThat(out.get(i).normalized()).isTrue();
            assertThat(Vectors.norm(out.get(i).vector())).isCloseTo(1.0, within(1e-6));
            assertThat(Vectors.maxAbsDiff(out.get(i).vector(), expected)).isLessThan(TOLERANCE);
        }
    }

    @Test
    void truncationWithoutNormalizingKeepsThePrefixAsIs() {
        // (re-normalizing after truncation, when normalizing: LeafShapedModelTest)
        int dims = 256;
        List<Integer> ids = new ArrayList<>(TEXTS.keySet());
        try (Embedder cut = Embedder.open(EmbedderOptions.builder().modelDir(dir).truncateDim(dims).build())) {
            List<Embedding> out = cut.embed(inputs());
            for (int i = 0; i < ids.size(); i++) {
                float[] prefix = Arrays.copyOf(DENSE.get(ids.get(i)), dims);
                assertThat(out.get(i).dims()).isEqualTo(dims);
                assertThat(out.get(i).normalized()).isFalse();
                assertThat(Vectors.maxAbsDiff(out.get(i).vector(), prefix)).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void poolingWithoutNormalizeEqualsTransformersJsPooledVectors() {
        // the Dense input on its own: the bare pair with normalize off is the pooled vector
        try (Embedder pooled = Embedder.open(TestModels.minilm().normalize(false).build())) {
            List<float[]> out = vectors(pooled.embed(inputs()));
            List<Integer> ids = new ArrayList<>(TEXTS.keySet());
            for (int i = 0; i < ids.size(); i++) {
                assertThat(Vectors.maxAbsDiff(out.get(i), POOLED.get(ids.get(i)))).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void wrongOrdersOfTheSameStepsMissTheReference() {
        float[] w = AffineDenseModel.weight();
        float[] b = AffineDenseModel.bias();
        int in = AffineDenseModel.HIDDEN;
        int out = AffineDenseModel.DIMS;
        DenseLayer dense = new DenseLayer(in, out, w, b, Activation.TANH);
        Map<String, Double> worstMiss = new LinkedHashMap<>();
        for (Map.Entry<Integer, float[]> entry : POOLED.entrySet()) {
            float[] pooled = entry.getValue();
            float[] expected = DENSE.get(entry.getKey());
            float[] expectedUnit = L2Normalizer.normalizeInPlace(expected.clone());
            // the right order, from the same pooled input numpy used
            assertThat(Vectors.maxAbsDiff(dense.apply(pooled), expected)).isLessThan(1e-5);

            Map<String, float[]> wrong = new LinkedHashMap<>();
            wrong.put("normalize before Dense", dense.apply(L2Normalizer.normalizeInPlace(pooled.clone())));
            wrong.put("no bias", new DenseLayer(in, out, w, null, Activation.TANH).apply(pooled));
            wrong.put("no activation", new DenseLayer(in, out, w, b, Activation.IDENTITY).apply(pooled));
            wrong.put("weight read transposed", new DenseLayer(in, out, transpose(w, out, in), b, Activation.TANH)
                    .apply(pooled));
            wrong.forEach((name, v) -> worstMiss.merge(name, Vectors.maxAbsDiff(v, expected), Math::min));
            // with normalize forced on: normalizing before instead of after Dense
            float[] before = L2Normalizer.normalizeInPlace(dense.apply(L2Normalizer.normalizeInPlace(pooled.clone())));
            worstMiss.merge("normalize before Dense (normalized)", Vectors.maxAbsDiff(before, expectedUnit), Math::min);
        }
        assertThat(worstMiss).allSatisfy((name, miss) -> assertThat(miss).as(name).isGreaterThan(WRONG_ORDER_MARGIN));
    }

    /** {@code [rows, cols]} row-major read as if it were {@code [cols, rows]}: a layout bug. */
    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[r * cols + c] = m[c * rows + r];
            }
        }
        return t;
    }

    @Test
    void cardRangesRefuseVectorsThatAreNotNormalized() {
        // the card's ranges are meant for unit vectors; an un-normalized model's (mxbai's CLS
        // vectors) would be clamped quietly, so opening fails and names both ways out
        assertThatThrownBy(() -> Embedder.open(EmbedderOptions.builder().modelDir(dir).onnxVariant("int8")
                        .quantization(Quantization.INT8).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("assumes unit vectors")
                .hasMessageContaining("no Normalize module")
                .hasMessageContaining("embedding.normalize: true");
        assertThatThrownBy(() -> Embedder.open(TestModels.minilmInt8().normalize(false)
                        .quantization(Quantization.UINT8).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("normalize is off");
        try (Embedder unit = Embedder.open(EmbedderOptions.builder().modelDir(dir).onnxVariant("int8")
                .normalize(true).quantization(Quantization.INT8).build())) {
            assertThat(unit.embed(TextInput.document("cat")).codes()).hasSize(AffineDenseModel.DIMS);
        }
        QuantizationRanges calibrated = QuantizationRanges.calibrate(DENSE.values());
        try (Embedder raw = Embedder.open(EmbedderOptions.builder().modelDir(dir).onnxVariant("int8")
                .quantization(Quantization.UINT8).ranges(calibrated).build())) {
            assertThat(raw.embed(TextInput.document("cat")).codes()).hasSize(AffineDenseModel.DIMS);
        }
    }
}
