package io.leafembed.postprocess;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;

/**
 * Per-dimension {@code [min, max]} ranges for int8/uint8 quantization, the {@code ranges}
 * argument of sentence-transformers' {@code quantize_embeddings}, and the numeric precision its
 * numpy arithmetic runs in.
 *
 * <p>numpy computes {@code (e - starts) / steps} in the wider of the two dtypes, and its
 * truncating cast turns a last-ulp difference into a different code. To give the same codes bit
 * for bit, the ranges remember their dtype: {@link #card()} is the model card's
 * {@code np.array([[-1.0], [1.0]])} (float64, so float64 arithmetic); {@link #calibrate} is the
 * per-dimension min and max of float32 calibration embeddings (float32 arithmetic, as
 * {@code calibration_embeddings} gives); explicit ranges choose.
 */
public final class QuantizationRanges implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The dtype numpy would compute in. */
    public enum Precision {
        FLOAT32,
        FLOAT64
    }

    private final double[] min;
    private final double[] max;
    private final Precision precision;
    /** id() is asked for every embedding: computed once. */
    private transient String id;

    private QuantizationRanges(double[] min, double[] max, Precision precision) {
        if (min.length != max.length || min.length == 0) {
            throw new IllegalArgumentException(
                    "quantization ranges need as many min as max values (at least one), got "
                            + min.length + " and " + max.length);
        }
        for (int i = 0; i < min.length; i++) {
            if (!(max[i] > min[i])) {
                throw new IllegalArgumentException(
                        "quantization range of dimension " + i + " must have max > min but was ["
                                + min[i] + ", " + max[i] + "]");
            }
        }
        this.min = min;
        this.max = max;
        this.precision = precision;
    }

    /**
     * The model card's ranges: [-1, 1] on every dimension (a unit vector's coordinates cannot
     * leave it), in float64 as {@code np.array([[-1.0], [1.0]])}.
     */
    public static QuantizationRanges card() {
        return new QuantizationRanges(new double[] {-1.0}, new double[] {1.0}, Precision.FLOAT64);
    }

    /** The same range [min, max] for every dimension. */
    public static QuantizationRanges uniform(double min, double max, Precision precision) {
        return new QuantizationRanges(new double[] {min}, new double[] {max}, precision);
    }

    /** Float32 per-dimension ranges, as {@code np.array([min, max], dtype=np.float32)}. */
    public static QuantizationRanges ofFloat32(float[] min, float[] max) {
        return new QuantizationRanges(widen(min), widen(max), Precision.FLOAT32);
    }

    /** Float64 per-dimension ranges, as {@code np.array([min, max])}. */
    public static QuantizationRanges ofFloat64(double[] min, double[] max) {
        return new QuantizationRanges(min.clone(), max.clone(), Precision.FLOAT64);
    }

    /**
     * The ranges {@code quantize_embeddings(..., calibration_embeddings=c)} derives: the float32
     * minimum and maximum of each dimension over the calibration sample.
     *
     * @throws IllegalArgumentException if the sample is empty, the vectors differ in length, or a
     *     dimension never varies (its step would be zero)
     */
    public static QuantizationRanges calibrate(Collection<float[]> calibration) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one embedding");
        }
        int dims = calibration.iterator().next().length;
        float[] lo = new float[dims];
        float[] hi = new float[dims];
        Arrays.fill(lo, Float.POSITIVE_INFINITY);
        Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        for (float[] e : calibration) {
            if (e.length != dims) {
                throw new IllegalArgumentException(
                        "calibration embeddings must all have " + dims + " dims, one has " + e.length);
            }
            for (int i = 0; i < dims; i++) {
                lo[i] = Math.min(lo[i], e[i]);
                hi[i] = Math.max(hi[i], e[i]);
            }
        }
        return ofFloat32(lo, hi);
    }

    /** How many dimensions the ranges cover; 1 means the same range for every dimension. */
    public int dims() {
        return min.length;
    }

    /** Whether these ranges apply to vectors of {@code dims} dimensions. */
    public boolean fits(int dims) {
        return min.length == 1 || min.length == dims;
    }

    public double min(int dim) {
        return min[min.length == 1 ? 0 : dim];
    }

    public double max(int dim) {
        return max[max.length == 1 ? 0 : dim];
    }

    public Precision precision() {
        return precision;
    }

    /**
     * A short name for these ranges, written with each int8/uint8 embedding so consumers can tell
     * which codes are comparable: {@code card} for the card's ranges, else the first 8 hex digits
     * of a SHA-256 over the precision and the values.
     */
    public String id() {
        if (id == null) {
            id = computeId();
        }
        return id;
    }

    private String computeId() {
        if (equals(card())) {
            return "card";
        }
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 + 16 * min.length);
            buf.put((byte) precision.ordinal());
            for (int i = 0; i < min.length; i++) {
                buf.putDouble(min[i]).putDouble(max[i]);
            }
            byte[] hash = digest.digest(buf.array());
            return String.format("%02x%02x%02x%02x", hash[0], hash[1], hash[2], hash[3]);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static double[] widen(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizationRanges
                && precision == ((QuantizationRanges) o).precision
                && Arrays.equals(min, ((QuantizationRanges) o).min)
                && Arrays.equals(max, ((QuantizationRanges) o).max);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(min) + Arrays.hashCode(max)) + precision.hashCode();
    }

    @Override
    public String toString() {
        return dims() == 1
                ? "[" + min[0] + ", " + max[0] + "] (" + precision + ")"
                : dims() + "-dim ranges (" + precision + ")";
    }
}
