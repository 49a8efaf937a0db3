package io.leafembed.pooling;

import java.nio.FloatBuffer;

/**
 * Pools a batch of token embeddings ({@code [batch, seq, hidden]}, row-major, right-padded) into
 * one vector per text, looking only at each text's first {@code lengths[b]} positions: the
 * positions where the attention mask is 1. Sums run in double, so the result is at least as
 * exact as torch's float32 reduction.
 */
public final class Pooler {

    private Pooler() {}

    /**
     * Pools row {@code b} of {@code tokens}.
     *
     * @param tokens the encoder's token embeddings, {@code batch x seq x hidden} floats
     * @param seq the padded sequence length of the batch
     * @param hidden the hidden size
     * @param from the first position that takes part in mean/max pooling (0, or past the prompt
     *     for Pooling configs with {@code include_prompt: false})
     * @param length the number of real (unpadded) tokens of row {@code b}, at least 1
     */
    public static float[] pool(
            PoolingMode mode, FloatBuffer tokens, int b, int seq, int hidden, int from, int length) {
        if (length < 1 || length > seq || from < 0 || from >= length) {
            throw new IllegalArgumentException("row " + b + " pools tokens [" + from + ", " + length
                    + ") of " + seq);
        }
        int rowStart = b * seq * hidden;
        float[] out = new float[hidden];
        switch (mode) {
            case CLS:
                tokens.get(rowStart, out);
                return out;
            case LAST_TOKEN:
                tokens.get(rowStart + (length - 1) * hidden, out);
                return out;
            case MAX:
                tokens.get(rowStart + from * hidden, out);
                for (int t = from + 1; t < length; t++) {
                    int base = rowStart + t * hidden;
                    for (int h = 0; h < hidden; h++) {
                        out[h] = Math.max(out[h], tokens.get(base + h));
                    }
                }
                return out;
            default:
                double[] sum = new double[hidden];
                for (int t = from; t < length; t++) {
                    int base = rowStart + t * hidden;
                    for (int h = 0; h < hidden; h++) {
                        sum[h] += tokens.get(base + h);
                    }
                }
                int count = length - from;
                double divisor = mode == PoolingMode.MEAN ? count : Math.sqrt(count);
                for (int h = 0; h < hidden; h++) {
                    out[h] = (float) (sum[h] / divisor);
                }
                return out;
        }
    }
}
