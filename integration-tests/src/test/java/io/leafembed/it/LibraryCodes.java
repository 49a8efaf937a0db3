package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares quantized codes a job wrote with the core library's codes for the same text. A job's
 * batches differ from the library's, so the float vectors may differ by float noise (< 1e-6); a
 * value that sits on a code boundary can then move by one int8 code or flip one sign bit. Such a
 * difference is accepted only where the library's own float value proves it is on a boundary;
 * any other difference fails.
 */
final class LibraryCodes {

    /** Card ranges of the int8 codes: [-1, 1] cut into 255 steps. */
    private static final double INT8_STEP = 2.0 / 255;

    private LibraryCodes() {}

    /**
     * Checks int8 codes; {@code floats} is the library's float32 vector of the same text.
     *
     * @return how many bytes differ (each on a boundary)
     */
    static int int8(byte[] actual, byte[] expected, float[] floats, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        int differing = 0;
        for (int d = 0; d < expected.length; d++) {
            if (actual[d] != expected[d]) {
                double steps = (floats[d] + 1.0) / INT8_STEP;
                assertThat(Math.abs(steps - Math.rint(steps)) * INT8_STEP).as("%s dim %d", what, d).isLessThan(1e-5);
                assertThat(Math.abs(actual[d] - expected[d])).as("%s dim %d", what, d).isEqualTo(1);
                differing++;
            }
        }
        return differing;
    }

    /**
     * Checks packed binary codes (one bit per dimension, most significant first).
     *
     * @return how many bytes differ (each only in bits whose value is within 1e-6 of zero)
     */
    static int binary(byte[] actual, byte[] expected, float[] floats, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        int differing = 0;
        for (int b = 0; b < expected.length; b++) {
            if (actual[b] != expected[b]) {
                for (int bit = 0; bit < 8; bit++) {
                    if (((actual[b] ^ expected[b]) & (0x80 >> bit)) != 0) {
                        assertThat(Math.abs(floats[b * 8 + bit])).as("%s dim %d", what, b * 8 + bit).isLessThan(1e-6f);
                    }
                }
                differing++;
            }
        }
        return differing;
    }
}
