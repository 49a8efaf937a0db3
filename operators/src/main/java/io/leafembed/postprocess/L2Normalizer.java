package io.leafembed.postprocess;

/**
 * L2 (Euclidean) normalization, the last module of a sentence-transformers pipeline
 * ({@code sentence_transformers.models.Normalize}) and the step that follows Matryoshka truncation.
 *
 * <p>{@code v / max(||v||, 1e-12)}, as torch's {@code F.normalize(p=2, eps=1e-12)}: a zero
 * vector stays zero instead of becoming NaN. Example: {@code [3, 4] -> [0.6, 0.8]}. The norm is
 * accumulated in double so the result does not depend on the vector's length in float error.
 */
public final class L2Normalizer {

    /** torch.nn.functional.normalize's default epsilon. */
    static final double EPSILON = 1e-12;

    private L2Normalizer() {}

    /** Normalizes {@code v} in place and returns it. */
    public static float[] normalizeInPlace(float[] v) {
        double norm = Math.sqrt(squaredNorm(v));
        double scale = 1.0 / Math.max(norm, EPSILON);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * scale);
        }
        return v;
    }

    /** The Euclidean norm of {@code v}. */
    public static double norm(float[] v) {
        return Math.sqrt(squaredNorm(v));
    }

    private static double squaredNorm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return sum;
    }
}
