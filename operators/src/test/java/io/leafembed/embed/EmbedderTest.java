package io.leafembed.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.leafembed.postprocess.Quantization;
import io.leafembed.postprocess.QuantizationRanges;
import io.leafembed.postprocess.Quantizer;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Behaviour of the public API on the real all-MiniLM-L6-v2. */
class EmbedderTest {

    private static Embedder embedder;

    @BeforeAll
    static void open() {
        embedder = Embedder.open(TestModels.minilm().maxBatchSize(8).build());
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    private static List<TextInput> mixedLengthTexts() {
        List<TextInput> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            texts.add(TextInput.document("sentence " + i + " " + "with some more words ".repeat(i % 9)));
        }
        texts.add(TextInput.document("a very long text ".repeat(200)));
        return texts;
    }

    @Test
    void aTextInsideABatchEqualsTheSameTextAlone() {
        List<TextInput> texts = mixedLengthTexts();
        List<Embedding> batched = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            Embedding alone = embedder.embed(texts.get(i));
            assertThat(Vectors.maxAbsDiff(batched.get(i).vector(), alone.vector()))
                    .as("text %d", i).isLessThan(1e-5);
            assertThat(batched.get(i).tokenCount()).isEqualTo(alone.tokenCount());
        }
    }

    @Test
    void reportsTruncationAndTokenCounts() {
        Embedding longText = embedder.embed(TextInput.document("word ".repeat(1000)));
        assertThat(longText.truncated()).isTrue();
        assertThat(longText.tokenCount()).isEqualTo(256);
        Embedding shortText = embedder.embed(TextInput.document("What is machine learning?"));
        assertThat(shortText.truncated()).isFalse();
        assertThat(shortText.tokenCount()).isEqualTo(7);
        assertThat(embedder.tokenize(TextInput.document("What is machine learning?")).ids())
                .containsExactly(101, 2054, 2003, 3698, 4083, 1029, 102);
    }

    @Test
    void emptyTextIsRejectedByDefaultAndEmbeddedOnRequest() {
        assertThat(embedder.rejectReason(TextInput.document(""))).contains("empty text");
        assertThat(embedder.rejectReason(TextInput.document(" \t\n"))).contains("text has only whitespace");
        assertThatThrownBy(() -> embedder.embed(List.of(TextInput.document("ok"), TextInput.document(""))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text 1 cannot be embedded: empty text");
        try (Embedder lenient = Embedder.open(TestModels.minilm().emptyText(EmptyTextPolicy.EMBED).build())) {
            Embedding empty = lenient.embed(TextInput.document(""));
            assertThat(empty.tokenCount()).isEqualTo(2);
            assertThat(Vectors.norm(empty.vector())).isCloseTo(1.0, within(1e-6));
        }
    }

    @Test
    void unknownRolesAreRejectedWithTheKnownOnes() {
        assertThat(embedder.rejectReason(new TextInput("x", "passage")))
                .contains("unknown role 'passage': this model knows [document, query]");
        assertThat(embedder.rejectReason(TextInput.query("x"))).isEmpty();
        assertThat(embedder.rejectReason(TextInput.of("x"))).isEmpty();
    }

    @Test
    void promptOverridesComeFromOptions() {
        try (Embedder e5Style = Embedder.open(TestModels.minilm()
                .prompt("query", "query: ").prompt("passage", "passage: ").build())) {
            assertThat(e5Style.roles()).containsExactly("document", "passage", "query");
            Embedding query = e5Style.embed(TextInput.query("cats"));
            Embedding byHand = e5Style.embed(TextInput.document("query: cats"));
            assertThat(Vectors.maxAbsDiff(query.vector(), byHand.vector())).isLessThan(1e-6);
        }
    }

    @Test
    void quantizedOutputCarriesCodesOfTheFloatVector() {
        try (Embedder int8 = Embedder.open(TestModels.minilm().truncateDim(128)
                .quantization(Quantization.INT8).build())) {
            Embedding e = int8.embed(TextInput.document("quantize me"));
            assertThat(e.dims()).isEqualTo(128);
            assertThat(e.quantization()).isEqualTo(Quantization.INT8);
            assertThat(e.codes()).isEqualTo(Quantizer.quantize(e.vector(), Quantization.INT8, QuantizationRanges.card()));
            assertThat(e.codesAsInts()).hasSize(128);
        }
        try (Embedder binary = Embedder.open(TestModels.minilm().quantization(Quantization.UBINARY).build())) {
            Embedding e = binary.embed(TextInput.document("quantize me"));
            assertThat(e.codes()).hasSize(48);
            assertThat(e.toBase64()).hasSize(64);
        }
    }

    @Test
    void rangesMustFitTheTruncatedDims() {
        QuantizationRanges calibrated = QuantizationRanges.calibrate(List.of(new float[384], fill(384, 0.5f)));
        assertThatThrownBy(() -> Embedder.open(TestModels.minilm().truncateDim(64)
                        .quantization(Quantization.UINT8).ranges(calibrated).build()))
                .hasMessageContaining("quantization ranges cover 384 dims but embeddings have 64");
    }

    @Test
    void optionsValidateInOnePlace() {
        assertThatThrownBy(() -> EmbedderOptions.builder().build()).hasMessageContaining("no model");
        assertThatThrownBy(() -> TestModels.minilm().truncateDim(0).build())
                .hasMessage("truncateDim must be at least 1 but was 0");
        assertThatThrownBy(() -> TestModels.minilm().maxBatchSize(0).build())
                .hasMessage("maxBatchSize must be at least 1 but was 0");
        assertThatThrownBy(() -> TestModels.minilm().modelDir(java.nio.file.Path.of("x")).build())
                .hasMessageContaining("not both");
    }

    @Test
    void embedEachWithoutFailuresGivesWhatEmbedGivesInTheSameBatches() {
        List<TextInput> texts = mixedLengthTexts();
        List<Integer> batchSizes = new ArrayList<>();
        List<Integer> eachBatchSizes = new ArrayList<>();
        List<Embedding> plain = embedder.embed(texts, (n, real, computed, nanos) -> batchSizes.add(n));
        List<Embedder.Outcome> each = embedder.embedEach(texts, (n, real, computed, nanos) -> eachBatchSizes.add(n));
        assertThat(eachBatchSizes).isEqualTo(batchSizes);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(each.get(i).failed()).isFalse();
            assertThat(each.get(i).embedding().vector()).isEqualTo(plain.get(i).vector());
        }
    }

    private static float[] fill(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return v;
    }
}
