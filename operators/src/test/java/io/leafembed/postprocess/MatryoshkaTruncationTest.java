package io.leafembed.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MatryoshkaTruncationTest {

    @Test
    void keepsThePrefixAndRenormalizes() {
        float[] v = L2Normalizer.normalizeInPlace(new float[] {3f, 4f, 12f});
        float[] cut = MatryoshkaTruncation.truncate(v, 2, true);
        assertThat(cut[0]).isCloseTo(0.6f, within(1e-7f));
        assertThat(cut[1]).isCloseTo(0.8f, within(1e-7f));
        assertThat(v).hasSize(3); // the input is not cut in place
    }

    @Test
    void zeroVectorStaysZero() {
        assertThat(L2Normalizer.normalizeInPlace(new float[] {0f, 0f})).containsExactly(0f, 0f);
    }

    @Test
    void rejectsDimsOutsideTheVector() {
        assertThatThrownBy(() -> MatryoshkaTruncation.truncate(new float[4], 5, true))
                .hasMessage("truncation dim must be in [1, 4] but was 5");
        assertThatThrownBy(() -> MatryoshkaTruncation.truncate(new float[4], 0, true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
