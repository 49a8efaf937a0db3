package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.postprocess.Quantization;
import io.leafembed.postprocess.QuantizationRanges;
import io.leafembed.postprocess.Quantizer;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Calibrated ranges: computed once from the stream, kept in state, applied by every quantizer. */
class CalibrationTest {

    private static EmbedResult floats(String id, float... v) {
        return new EmbedResult(id, "document", null, v, null, "float32", "m", v.length, true, false, 3, null);
    }

    private static List<QuantizationRanges> ranges(List<CalibratedRanges> calibrated) {
        return calibrated.stream().map(CalibratedRanges::toRanges).toList();
    }

    @Test
    void calibratorEmitsOnceAfterTheSampleAndRemembersItAcrossARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = new OneInputStreamOperatorTestHarness<>(new RangeCalibrator(3))) {
            h.open();
            h.processElement(new float[] {0.1f, -0.2f}, 1);
            h.processElement(new float[] {0.3f, -0.6f}, 2);
            snapshot = h.snapshot(1, 2); // the sample so far is state
            h.processElement(new float[] {0.2f, 0.4f}, 3);
            assertThat(ranges(h.extractOutputValues())).containsExactly(QuantizationRanges.ofFloat32(
                    new float[] {0.1f, -0.6f}, new float[] {0.3f, 0.4f}));
            h.processElement(new float[] {0.9f, 0.9f}, 4);
            assertThat(h.extractOutputValues()).hasSize(1);
        }
        try (var restored = new OneInputStreamOperatorTestHarness<>(new RangeCalibrator(3))) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(new float[] {0.2f, 0.4f}, 3);
            // the restored sample (records 1 and 2) plus record 3 give the same ranges
            assertThat(ranges(restored.extractOutputValues())).containsExactly(QuantizationRanges.ofFloat32(
                    new float[] {0.1f, -0.6f}, new float[] {0.3f, 0.4f}));
        }
    }

    @Test
    void boundedInputCalibratesFromWhatItHas() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(new RangeCalibrator(1000))) {
            h.open();
            h.processElement(new float[] {0.1f, -0.2f}, 1);
            h.processElement(new float[] {0.3f, -0.6f}, 2);
            assertThat(h.extractOutputValues()).isEmpty();
            ((RangeCalibrator) h.getOneInputOperator()).endInput();
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void quantizerHoldsRecordsUntilTheRangesArriveAndKeepsThemInState() throws Exception {
        QuantizationRanges ranges = QuantizationRanges.ofFloat32(new float[] {-0.5f, -0.5f}, new float[] {0.5f, 0.5f});
        EmbedResult early = floats("early", 0.25f, -0.25f);
        OperatorSubtaskState snapshot;
        try (BroadcastOperatorTestHarness<EmbedResult, CalibratedRanges, EmbedResult> h =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new CalibratedQuantizer(Quantization.UINT8), CalibratedQuantizer.RANGES)) {
            h.processElement(early, 1);
            assertThat(h.extractOutputValues()).isEmpty();
            snapshot = h.snapshot(1, 1);
        }
        try (BroadcastOperatorTestHarness<EmbedResult, CalibratedRanges, EmbedResult> h =
                new BroadcastOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator<>(
                                new CalibratedQuantizer(Quantization.UINT8), List.of(CalibratedQuantizer.RANGES)),
                        1, 1, 0)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.processBroadcastElement(CalibratedRanges.of(ranges), 2);
            h.processElement(floats("late", -0.5f, 0.5f), 3);
            List<EmbedResult> out = h.extractOutputValues();
            assertThat(out).extracting(EmbedResult::id).containsExactly("early", "late");
            assertThat(out.get(0).codes()).isEqualTo(Quantizer.quantize(early.vector(), Quantization.UINT8, ranges));
            assertThat(out.get(0).rangesId()).isEqualTo(ranges.id()).isNotEqualTo("card");
            assertThat(out.get(1).quantization()).isEqualTo("uint8");
        }
    }

    @Test
    void rangesAreAPojoTypeSoStateWorksWithGenericTypesDisabled() throws Exception {
        assertThat(org.apache.flink.api.common.typeinfo.TypeInformation.of(CalibratedRanges.class))
                .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
        QuantizationRanges ranges = QuantizationRanges.ofFloat32(new float[] {-0.3f, -0.7f}, new float[] {0.6f, 0.2f});
        OperatorSubtaskState snapshot;
        try (var h = quantizerWithoutGenericTypes()) {
            h.open();
            h.processBroadcastElement(CalibratedRanges.of(ranges), 1);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = quantizerWithoutGenericTypes()) {
            h.initializeState(snapshot);
            h.open();
            EmbedResult in = floats("1", 0.1f, -0.1f);
            h.processElement(in, 2);
            EmbedResult out = h.extractOutputValues().get(0);
            assertThat(out.codes()).isEqualTo(Quantizer.quantize(in.vector(), Quantization.UINT8, ranges));
            assertThat(out.rangesId()).isEqualTo(ranges.id());
        }
        QuantizationRanges card = QuantizationRanges.card();
        assertThat(CalibratedRanges.of(card).toRanges()).isEqualTo(card);
        assertThat(CalibratedRanges.of(ranges).toRanges()).isEqualTo(ranges);
    }

    private static BroadcastOperatorTestHarness<EmbedResult, CalibratedRanges, EmbedResult> quantizerWithoutGenericTypes()
            throws Exception {
        var h = new BroadcastOperatorTestHarness<EmbedResult, CalibratedRanges, EmbedResult>(
                new org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator<>(
                        new CalibratedQuantizer(Quantization.UINT8), List.of(CalibratedQuantizer.RANGES)), 1, 1, 0);
        // as pipeline.generic-types: false does: any Kryo-serialized type fails
        h.getExecutionConfig().configure(new org.apache.flink.configuration.Configuration().set(
                org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false), CalibrationTest.class.getClassLoader());
        assertThat(h.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        h.setup();
        return h;
    }
}
