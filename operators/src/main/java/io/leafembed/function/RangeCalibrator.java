package io.leafembed.function;

import io.leafembed.postprocess.QuantizationRanges;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calibrates int8/uint8 ranges from the stream, once: collects the first {@code sampleSize}
 * float vectors (after truncation) that the embedding subtasks send to their {@link
 * EmbeddingOperator#CALIBRATION_SAMPLE} side output, then emits their per-dimension min and max,
 * as sentence-transformers' {@code calibration_embeddings} does, and ignores everything after.
 * Runs with parallelism 1 so that every parallel quantizer gets the same ranges; the sample and
 * the done flag are operator state, so a restore neither recalibrates nor loses the sample. A
 * bounded input that ends before the sample is full calibrates from what it has.
 *
 * <p>Its input is vectors only, never whole records, and the embedding subtasks stop sending
 * once the sample can be full (see {@link CalibrationSampler}): this task never back-pressures
 * the embedding.
 */
public class RangeCalibrator extends AbstractStreamOperator<CalibratedRanges>
        implements OneInputStreamOperator<float[], CalibratedRanges>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RangeCalibrator.class);

    private final int sampleSize;

    private transient ListState<float[]> sampleState;
    private transient ListState<Boolean> doneState;
    private transient List<float[]> sample;
    private transient boolean done;

    public RangeCalibrator(int sampleSize) {
        if (sampleSize < 2) {
            throw new IllegalArgumentException("calibration needs at least 2 embeddings but the sample size is "
                    + sampleSize);
        }
        this.sampleSize = sampleSize;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        sampleState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("calibration-sample", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        doneState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("calibration-done", Types.BOOLEAN));
        sample = new ArrayList<>();
        sampleState.get().forEach(sample::add);
        done = false;
        for (Boolean d : doneState.get()) {
            done |= d;
        }
    }

    @Override
    public void processElement(StreamRecord<float[]> record) {
        if (done) {
            return;
        }
        sample.add(record.getValue());
        if (sample.size() >= sampleSize) {
            emitRanges();
        }
    }

    @Override
    public void endInput() {
        if (!done && !sample.isEmpty()) {
            emitRanges();
        }
    }

    private void emitRanges() {
        QuantizationRanges ranges;
        try {
            ranges = QuantizationRanges.calibrate(sample);
            LOG.info("Calibrated int8/uint8 ranges {} from {} embeddings", ranges.id(), sample.size());
        } catch (IllegalArgumentException e) {
            // a sample too small or too uniform to give every dimension a range
            ranges = QuantizationRanges.card();
            LOG.warn("Cannot calibrate from {} embeddings ({}); using the card's [-1, 1] ranges",
                    sample.size(), e.getMessage());
        }
        output.collect(new StreamRecord<>(CalibratedRanges.of(ranges)));
        done = true;
        sample.clear();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        sampleState.update(sample);
        doneState.update(List.of(done));
    }
}
