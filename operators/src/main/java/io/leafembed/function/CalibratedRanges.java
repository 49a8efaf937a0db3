package io.leafembed.function;

import io.leafembed.postprocess.QuantizationRanges;

/**
 * Calibrated {@link QuantizationRanges} in a form Flink serializes without Kryo: a record of
 * arrays and a string, which Flink treats as a POJO (its serializer snapshot supports schema
 * evolution), so the ranges in broadcast state survive upgrades and the job runs with {@code
 * pipeline.generic-types: false}. {@code precision} is a {@link QuantizationRanges.Precision}
 * name; {@code min} and {@code max} hold one value per dimension (or one for all).
 */
public record CalibratedRanges(double[] min, double[] max, String precision) {

    /** The state form of {@code ranges}. */
    public static CalibratedRanges of(QuantizationRanges ranges) {
        double[] min = new double[ranges.dims()];
        double[] max = new double[ranges.dims()];
        for (int d = 0; d < min.length; d++) {
            min[d] = ranges.min(d);
            max[d] = ranges.max(d);
        }
        return new CalibratedRanges(min, max, ranges.precision().name());
    }

    /** The ranges again; float32 ranges hold float values, so narrowing them back is exact. */
    public QuantizationRanges toRanges() {
        if (QuantizationRanges.Precision.valueOf(precision) == QuantizationRanges.Precision.FLOAT64) {
            return QuantizationRanges.ofFloat64(min, max);
        }
        float[] lo = new float[min.length];
        float[] hi = new float[max.length];
        for (int d = 0; d < lo.length; d++) {
            lo[d] = (float) min[d];
            hi[d] = (float) max[d];
        }
        return QuantizationRanges.ofFloat32(lo, hi);
    }
}
