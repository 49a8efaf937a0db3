package io.leafembed.postprocess;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.leafembed.testutils.ReferenceData;
import io.leafembed.testutils.Vectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bit-for-bit equality with numpy running sentence-transformers' quantize_embeddings
 * expressions (integration-tests/reference/quantize.py) on the reference embeddings: card
 * ranges (float64), calibrated ranges (float32), explicit float32 ranges, binary, ubinary, and
 * Matryoshka truncation.
 */
class QuantizerReferenceTest {

    private static JsonNode quantized;
    private static Map<Integer, float[]> embeddings;
    private static List<float[]> calibrationSet;

    @BeforeAll
    static void load() {
        quantized = ReferenceData.json("all-minilm-l6-v2-quantized.json");
        embeddings = new HashMap<>();
        ReferenceData.minilmTexts().forEach(t -> embeddings.put(t.id(), t.embedding()));
        calibrationSet = new ArrayList<>();
        quantized.get("textIds").forEach(id -> calibrationSet.add(embeddings.get(id.asInt())));
    }

    private static void assertCase(String name, Quantization precision, QuantizationRanges ranges) {
        JsonNode c = quantized.get("cases").get(name);
        int count = 0;
        for (JsonNode t : c.get("texts")) {
            byte[] expected = ReferenceData.bytes(t.get("codes").asText());
            byte[] actual = Quantizer.quantize(embeddings.get(t.get("id").asInt()), precision, ranges);
            assertThat(actual).as("%s codes of text %d", name, t.get("id").asInt()).isEqualTo(expected);
            count++;
        }
        assertThat(count).isGreaterThanOrEqualTo(200);
    }

    @Test
    void cardRangesInFloat64() {
        assertCase("int8-card", Quantization.INT8, QuantizationRanges.card());
        assertCase("uint8-card", Quantization.UINT8, QuantizationRanges.card());
    }

    @Test
    void calibratedRangesInFloat32() {
        QuantizationRanges ranges = QuantizationRanges.calibrate(calibrationSet);
        float[] min = ReferenceData.floats(quantized.get("calibration").get("min").asText());
        float[] max = ReferenceData.floats(quantized.get("calibration").get("max").asText());
        for (int i = 0; i < min.length; i++) {
            assertThat((float) ranges.min(i)).isEqualTo(min[i]);
            assertThat((float) ranges.max(i)).isEqualTo(max[i]);
        }
        assertCase("int8-calibrated", Quantization.INT8, ranges);
        assertCase("uint8-calibrated", Quantization.UINT8, ranges);
    }

    @Test
    void explicitFloat32Ranges() {
        // no reference value leaves [-0.5, 0.5] (idsWithClippedValues is empty), so no clipping
        assertThat(quantized.get("cases").get("int8-explicit-f32").get("idsWithClippedValues")).isEmpty();
        QuantizationRanges ranges = QuantizationRanges.uniform(-0.5, 0.5, QuantizationRanges.Precision.FLOAT32);
        assertCase("int8-explicit-f32", Quantization.INT8, ranges);
        assertCase("uint8-explicit-f32", Quantization.UINT8, ranges);
    }

    @Test
    void binaryAndUbinary() {
        assertCase("binary", Quantization.BINARY, null);
        assertCase("ubinary", Quantization.UBINARY, null);
    }

    @Test
    void matryoshkaTruncationTo128() {
        for (JsonNode t : quantized.get("cases").get("mrl-128").get("texts")) {
            float[] expected = ReferenceData.floats(t.get("codes").asText());
            float[] actual = MatryoshkaTruncation.truncate(embeddings.get(t.get("id").asInt()).clone(), 128, true);
            assertThat(Vectors.maxAbsDiff(actual, expected)).isLessThan(1e-7);
        }
    }

    @Test
    void handCheckedCases() {
        for (JsonNode c : quantized.get("handChecked")) {
            String name = c.get("name").asText();
            if (name.equals("int8-card-4d") || name.equals("uint8-card-4d")) {
                float[] input = ReferenceData.floats(c.get("input"));
                Quantization q = Quantization.fromId(c.get("precision").asText());
                assertThat(ints(Quantizer.quantize(input, q, QuantizationRanges.card()), q))
                        .as(name).containsExactly(ReferenceData.ints(c.get("codes")));
            } else if (name.equals("binary-ubinary-10d")) {
                float[] input = ReferenceData.floats(c.get("input"));
                assertThat(ints(Quantizer.quantize(input, Quantization.UBINARY, null), Quantization.UBINARY))
                        .containsExactly(ReferenceData.ints(c.get("ubinaryCodes")));
                assertThat(ints(Quantizer.quantize(input, Quantization.BINARY, null), Quantization.BINARY))
                        .containsExactly(ReferenceData.ints(c.get("binaryCodes")));
            } else if (name.equals("int8-calibrated-3x2")) {
                List<float[]> rows = new ArrayList<>();
                c.get("input").forEach(row -> rows.add(ReferenceData.floats(row)));
                QuantizationRanges ranges = QuantizationRanges.calibrate(rows);
                for (int r = 0; r < rows.size(); r++) {
                    assertThat(ints(Quantizer.quantize(rows.get(r), Quantization.INT8, ranges), Quantization.INT8))
                            .containsExactly(ReferenceData.ints(c.get("codes").get(r)));
                    assertThat(ints(Quantizer.quantize(rows.get(r), Quantization.UINT8, ranges), Quantization.UINT8))
                            .containsExactly(ReferenceData.ints(c.get("uint8Codes").get(r)));
                }
            } else {
                throw new AssertionError("unknown hand-checked case " + name);
            }
        }
    }

    private static int[] ints(byte[] codes, Quantization q) {
        int[] out = new int[codes.length];
        boolean unsigned = q == Quantization.UINT8 || q == Quantization.UBINARY;
        for (int i = 0; i < codes.length; i++) {
            out[i] = unsigned ? Byte.toUnsignedInt(codes[i]) : codes[i];
        }
        return out;
    }
}
