package io.leafembed.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases of sentence-transformers' quantize_embeddings semantics (numpy truncating
 * casts, packbits bit order). The bulk check against numpy itself is QuantizerReferenceTest.
 */
class QuantizerTest {

    private static int[] ints(byte[] codes, boolean unsigned) {
        int[] out = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = unsigned ? Byte.toUnsignedInt(codes[i]) : codes[i];
        }
        return out;
    }

    @Test
    void int8TruncatesTowardZeroSoItIsNotUint8Minus128() {
        float[] e = {-1f, -0.5f, 0f, 0.5f, 1f};
        // (e + 1) / (2/255): 0, 63.75, 127.5, 191.25, 255 -> uint8 trunc
        assertThat(ints(Quantizer.quantize(e, Quantization.UINT8, QuantizationRanges.card()), true))
                .containsExactly(0, 63, 127, 191, 255);
        // minus 128: -128, -64.25, -0.5, 63.25, 127 -> trunc toward zero
        assertThat(ints(Quantizer.quantize(e, Quantization.INT8, QuantizationRanges.card()), false))
                .containsExactly(-128, -64, 0, 63, 127);
    }

    @Test
    void valuesOutsideTheRangesAreClamped() {
        QuantizationRanges narrow = QuantizationRanges.uniform(-0.1, 0.1, QuantizationRanges.Precision.FLOAT32);
        float[] e = {-0.9f, 0.9f, Float.NaN};
        assertThat(ints(Quantizer.quantize(e, Quantization.UINT8, narrow), true)).containsExactly(0, 255, 0);
        assertThat(ints(Quantizer.quantize(e, Quantization.INT8, narrow), false)).containsExactly(-128, 127, -128);
    }

    @Test
    void binaryPacksSignBitsMostSignificantFirst() {
        float[] e = {0.2f, -0.1f, 0f, 0.7f, -0.3f, 0.1f, 0.5f, -0.9f, 0.4f};
        // bits 10010110 | 1 (padded 10000000)
        assertThat(ints(Quantizer.quantize(e, Quantization.UBINARY, null), true)).containsExactly(150, 128);
        assertThat(ints(Quantizer.quantize(e, Quantization.BINARY, null), false)).containsExactly(22, 0);
        assertThat(Quantization.BINARY.byteLength(9)).isEqualTo(2);
    }

    @Test
    void calibrationTakesPerDimensionMinAndMax() {
        QuantizationRanges ranges = QuantizationRanges.calibrate(List.of(
                new float[] {0.1f, -0.2f}, new float[] {0.3f, -0.6f}, new float[] {0.2f, 0.4f}));
        assertThat(ranges.min(0)).isEqualTo(0.1f);
        assertThat(ranges.max(0)).isEqualTo(0.3f);
        assertThat(ranges.min(1)).isEqualTo(-0.6f);
        assertThat(ranges.max(1)).isEqualTo(0.4f);
        assertThat(ranges.precision()).isEqualTo(QuantizationRanges.Precision.FLOAT32);
        // the minimum maps to the first code; the maximum to 255 or, where float32 division
        // lands just below it (as numpy's does), 254: QuantizerReferenceTest pins which
        int[] codes = ints(Quantizer.quantize(new float[] {0.1f, 0.4f}, Quantization.UINT8, ranges), true);
        assertThat(codes[0]).isZero();
        assertThat(codes[1]).isBetween(254, 255);
    }

    @Test
    void float32AndFloat64ArithmeticFollowNumpysDtype() {
        // 0.1 - (-1) over 2/255 lands within a float32 ulp of 140.25; both paths must truncate
        // the same way numpy would in that dtype, which we pin by recomputing each explicitly.
        float e = 0.1f;
        float f32 = (e - -1f) / ((1f - -1f) / 255f);
        double f64 = ((double) e + 1.0) / (2.0 / 255.0);
        assertThat(ints(Quantizer.quantize(new float[] {e}, Quantization.UINT8,
                QuantizationRanges.uniform(-1, 1, QuantizationRanges.Precision.FLOAT32)), true))
                .containsExactly((int) f32);
        assertThat(ints(Quantizer.quantize(new float[] {e}, Quantization.UINT8, QuantizationRanges.card()), true))
                .containsExactly((int) f64);
    }

    @Test
    void rejectsRangesOfTheWrongSizeAndDegenerateRanges() {
        QuantizationRanges threeDims = QuantizationRanges.ofFloat32(new float[3], new float[] {1, 1, 1});
        assertThatThrownBy(() -> Quantizer.quantize(new float[4], Quantization.INT8, threeDims))
                .hasMessageContaining("cover 3 dims but the embedding has 4");
        assertThatThrownBy(() -> QuantizationRanges.ofFloat32(new float[] {0.5f}, new float[] {0.5f}))
                .hasMessageContaining("max > min");
        assertThatThrownBy(() -> Quantization.fromId("int4"))
                .hasMessage("unknown quantization 'int4': use one of float32, int8, uint8, binary, ubinary");
    }
}
