package io.leafembed.postprocess;

/**
 * Quantizes a (normalized, possibly truncated) embedding with the semantics of
 * sentence-transformers' {@code quantize_embeddings} (sentence_transformers/quantization.py),
 * bit for bit.
 *
 * <p>Scalar (per dimension {@code i}, {@code start = min[i]}, {@code step = (max[i] - min[i]) /
 * 255}, computed in the ranges' {@link QuantizationRanges.Precision}):
 *
 * <ul>
 *   <li>uint8: {@code trunc((e - start) / step)}
 *   <li>int8: {@code trunc((e - start) / step - 128)}
 * </ul>
 *
 * numpy's {@code astype} truncates toward zero, it does not round, so int8 is not uint8 - 128:
 * with the card's ranges [-1, 1], {@code e = -0.5} gives {@code 0.5 / (2/255) = 63.75}, so uint8
 * {@code 63} but int8 {@code trunc(-64.25) = -64}; {@code e = 0.5} gives uint8 {@code 191}
 * ({@code 191.25}) and int8 {@code 63}. numpy leaves the cast undefined outside the target range;
 * here values below {@code min} or above {@code max} are clamped to the first or last code.
 *
 * <p>Binary: bit = {@code e > 0}, packed eight to a byte most significant bit first, the last
 * byte padded with zero bits ({@code np.packbits}). ubinary is the packed byte; binary is the
 * packed byte minus 128 as a signed byte. Example: {@code [0.2, -0.1, 0, 0.7, -0.3, 0.1, 0.5,
 * -0.9, 0.4]} gives bits {@code 10010110 1(0000000)}, so ubinary {@code [150, 128]} and binary
 * {@code [22, 0]}.
 */
public final class Quantizer {

    private Quantizer() {}

    /**
     * The codes of {@code e}: {@link Quantization#byteLength} bytes; int8 and binary as two's
     * complement bytes, uint8 and ubinary as unsigned values stored in bytes (read them with
     * {@link Byte#toUnsignedInt}).
     *
     * @throws IllegalArgumentException for FLOAT32 (there is nothing to quantize), when scalar
     *     quantization has no ranges, or when the ranges do not fit the vector's dims
     */
    public static byte[] quantize(float[] e, Quantization precision, QuantizationRanges ranges) {
        switch (precision) {
            case INT8:
                return scalar(e, checked(ranges, e.length), -128);
            case UINT8:
                return scalar(e, checked(ranges, e.length), 0);
            case UBINARY:
                return packSignBits(e, 0);
            case BINARY:
                return packSignBits(e, -128);
            default:
                throw new IllegalArgumentException("float32 embeddings are not quantized");
        }
    }

    private static QuantizationRanges checked(QuantizationRanges ranges, int dims) {
        if (ranges == null) {
            throw new IllegalArgumentException("int8/uint8 quantization needs ranges");
        }
        if (!ranges.fits(dims)) {
            throw new IllegalArgumentException(
                    "quantization ranges cover " + ranges.dims() + " dims but the embedding has "
                            + dims + " (calibrate after truncation, with the same truncate dim)");
        }
        return ranges;
    }

    /** {@code offset} is 0 for uint8 and -128 for int8; the result is stored as (byte) code. */
    private static byte[] scalar(float[] e, QuantizationRanges ranges, int offset) {
        byte[] out = new byte[e.length];
        boolean f32 = ranges.precision() == QuantizationRanges.Precision.FLOAT32;
        for (int i = 0; i < e.length; i++) {
            double value;
            if (f32) {
                float start = (float) ranges.min(i);
                float step = ((float) ranges.max(i) - start) / 255f;
                value = (e[i] - start) / step + offset;
            } else {
                double start = ranges.min(i);
                double step = (ranges.max(i) - start) / 255.0;
                value = ((double) e[i] - start) / step + offset;
            }
            out[i] = (byte) clampTruncate(value, offset, offset + 255);
        }
        return out;
    }

    private static int clampTruncate(double value, int lo, int hi) {
        if (Double.isNaN(value) || value <= lo) {
            return lo;
        }
        return value >= hi ? hi : (int) value;
    }

    private static byte[] packSignBits(float[] e, int offset) {
        byte[] out = new byte[(e.length + 7) / 8];
        for (int i = 0; i < e.length; i++) {
            if (e[i] > 0) {
                out[i >> 3] |= (byte) (0x80 >>> (i & 7));
            }
        }
        for (int b = 0; b < out.length; b++) {
            out[b] = (byte) (Byte.toUnsignedInt(out[b]) + offset);
        }
        return out;
    }
}
