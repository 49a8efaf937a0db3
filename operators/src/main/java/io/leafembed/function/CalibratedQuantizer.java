package io.leafembed.function;

import io.leafembed.postprocess.Quantization;
import io.leafembed.postprocess.QuantizationRanges;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Quantizes float embeddings with ranges that {@link RangeCalibrator} calibrated from the stream.
 * The ranges arrive on a broadcast input and live in broadcast state, which every parallel
 * instance holds and which is copied to every instance on rescaling, so codes stay comparable
 * across restarts, savepoints and parallelism changes. Records that arrive before the ranges
 * wait in operator state: about the first {@code sampleSize} records of the job, up to {@code
 * parallelism x sampleSize} when some embedding subtasks get no input (see {@link
 * CalibrationSampler}).
 */
public class CalibratedQuantizer extends BroadcastProcessFunction<EmbedResult, CalibratedRanges, EmbedResult>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final String KEY = "ranges";

    /**
     * The broadcast state holding the calibrated ranges (a POJO type, not Kryo: see {@link
     * CalibratedRanges}).
     */
    public static final MapStateDescriptor<String, CalibratedRanges> RANGES =
            new MapStateDescriptor<>("calibrated-ranges", Types.STRING, TypeInformation.of(CalibratedRanges.class));

    private final Quantization precision;

    private transient ListState<EmbedResult> waitingState;
    private transient List<EmbedResult> waiting;
    /** The broadcast state's ranges, converted once rather than per record. */
    private transient QuantizationRanges ranges;

    public CalibratedQuantizer(Quantization precision) {
        if (!precision.isScalar()) {
            throw new IllegalArgumentException("calibrated ranges are for int8 and uint8, not " + precision);
        }
        this.precision = precision;
    }

    @Override
    public void processElement(EmbedResult result, ReadOnlyContext ctx, Collector<EmbedResult> out) throws Exception {
        if (ranges == null) {
            CalibratedRanges calibrated = ctx.getBroadcastState(RANGES).get(KEY);
            if (calibrated == null) {
                waiting.add(result);
                return;
            }
            ranges = calibrated.toRanges();
        }
        flushWaiting(ranges, out);
        out.collect(result.quantized(precision, ranges));
    }

    @Override
    public void processBroadcastElement(CalibratedRanges calibrated, Context ctx, Collector<EmbedResult> out)
            throws Exception {
        BroadcastState<String, CalibratedRanges> state = ctx.getBroadcastState(RANGES);
        if (state.get(KEY) == null) {
            state.put(KEY, calibrated);
        }
        ranges = state.get(KEY).toRanges();
        flushWaiting(ranges, out);
    }

    private void flushWaiting(QuantizationRanges ranges, Collector<EmbedResult> out) {
        for (EmbedResult r : waiting) {
            out.collect(r.quantized(precision, ranges));
        }
        waiting.clear();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        waitingState.update(waiting);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        waitingState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("waiting-for-ranges", TypeInformation.of(EmbedResult.class)));
        waiting = new ArrayList<>();
        waitingState.get().forEach(waiting::add);
    }
}
