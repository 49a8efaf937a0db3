package io.leafembed.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.testutils.TestModels;
import io.leafembed.tokenize.TextTokenizer;
import io.leafembed.tokenize.TokenBatch;
import io.leafembed.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encoder reuses its input and output buffers across batches: a batch after a larger or a
 * smaller one must see none of the earlier batch's values. Checked against each text encoded
 * alone by a fresh encoder, token by token.
 */
class OnnxEncoderTest {

    private static final List<String> TEXTS = List.of(
            "A short one.",
            "The quick brown fox jumps over the lazy dog, again and again, until the dog finally wakes up.",
            "Flink checkpoints the operator state.",
            "Embeddings map text to vectors so that similar meanings lie close together in the space.",
            "ok");

    @Test
    void batchesOfGrowingAndShrinkingShapeMatchTextsEncodedAlone() {
        try (TextTokenizer tokenizer = new TextTokenizer("t", TestModels.minilmTokenizer(), 128);
                OnnxEncoder reused = new OnnxEncoder("t", TestModels.minilmOnnx(), SessionSettings.defaults())) {
            List<TokenizedText> tokens = TEXTS.stream().map(tokenizer::tokenize).toList();
            List<float[][]> alone = new ArrayList<>();
            try (OnnxEncoder fresh = new OnnxEncoder("t", TestModels.minilmOnnx(), SessionSettings.defaults())) {
                for (TokenizedText t : tokens) {
                    alone.add(rows(fresh.encode(new TokenBatch(List.of(t), 0)), 0, t.length()));
                }
            }
            // small, large (the buffers grow), small again, then all: stale values would show up
            int[][] order = {{0}, {1, 3, 2}, {4}, {0, 1, 2, 3, 4}, {2, 4}};
            for (int[] rows : order) {
                List<TokenizedText> batchTexts = new ArrayList<>();
                for (int r : rows) {
                    batchTexts.add(tokens.get(r));
                }
                EncoderOutput out = reused.encode(new TokenBatch(batchTexts, 0));
                assertThat(out.seq()).isEqualTo(batchTexts.stream().mapToInt(TokenizedText::length).max().getAsInt());
                for (int k = 0; k < rows.length; k++) {
                    float[][] got = rows(out, k, tokens.get(rows[k]).length());
                    float[][] want = alone.get(rows[k]);
                    for (int t = 0; t < want.length; t++) {
                        for (int h = 0; h < want[t].length; h++) {
                            assertThat(got[t][h]).as("text %d token %d dim %d", rows[k], t, h)
                                    .isCloseTo(want[t][h], org.assertj.core.data.Offset.offset(2e-4f));
                        }
                    }
                }
            }
        }
    }

    /** Token rows [0, length) of batch row {@code b}, copied out. */
    private static float[][] rows(EncoderOutput out, int b, int length) {
        float[][] rows = new float[length][out.hidden()];
        for (int t = 0; t < length; t++) {
            out.values().get((b * out.seq() + t) * out.hidden(), rows[t]);
        }
        return rows;
    }
}
