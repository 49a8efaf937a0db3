package io.leafembed.postprocess;

import java.util.Arrays;

/**
 * Matryoshka (MRL) truncation: keep the first {@code dims} coordinates, then re-normalize, as
 * sentence-transformers' {@code truncate_dim} followed by {@code normalize_embeddings=True}
 * ({@code e[..., :d]} then L2). Example: {@code [0.6, 0.8, 0.0]} to 1 dim gives {@code [1.0]}.
 *
 * <p>Only models trained with a Matryoshka loss keep their quality when truncated; the math is
 * the same for every model.
 */
public final class MatryoshkaTruncation {

    private MatryoshkaTruncation() {}

    /**
     * Returns the first {@code dims} coordinates of {@code v}, L2-normalized; {@code v} itself
     * when {@code dims} equals its length (it is then only normalized in place when {@code
     * normalize} is set).
     *
     * @throws IllegalArgumentException if {@code dims} is not in {@code [1, v.length]}
     */
    public static float[] truncate(float[] v, int dims, boolean normalize) {
        if (dims < 1 || dims > v.length) {
            throw new IllegalArgumentException(
                    "truncation dim must be in [1, " + v.length + "] but was " + dims);
        }
        float[] out = dims == v.length ? v : Arrays.copyOf(v, dims);
        return normalize ? L2Normalizer.normalizeInPlace(out) : out;
    }
}
