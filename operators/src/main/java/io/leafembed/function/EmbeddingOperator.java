package io.leafembed.function;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.model.ModelLoadException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedding operator: holds one {@link Embedder} (one ONNX Runtime session) per parallel
 * instance, gathers records into windows (dynamic micro-batching), embeds each window in
 * length-sorted batches and emits the results in arrival order.
 *
 * <p>A window is flushed when it holds {@code windowSize} records, when its first record has
 * waited {@code maxWaitMillis}, when its first record's wait plus the window's expected embedding
 * time reaches {@code latencyBudgetMillis} (the time per record is measured on the windows
 * before; see {@link BatchingOptions}), before every checkpoint barrier and watermark, and at the
 * end of input. A model that cannot be loaded fails the job without restarts (it would fail again).
 * Flushing before the barrier means no record is ever buffered across a checkpoint: everything
 * received before the barrier is emitted before it, so a restore replays exactly the records
 * after it, and an exactly-once sink downstream sees each result once.
 *
 * <p>Records the model refuses (empty text under the REJECT policy, unknown role) go to the
 * {@link #DEAD_LETTERS} side output with the reason. If embedding a batch throws (tokenizer,
 * ONNX Runtime, pooling: any {@link RuntimeException}), the texts of that batch alone are retried
 * one by one, and a text that still fails becomes a dead letter if a probe text embeds right
 * after it (see {@link Embedder#embedEach}): one poisonous text cannot stop the job, while a fault
 * that hits every text (and any {@link Error}, such as running out of memory) fails the task so
 * that Flink restarts it.
 *
 * <p>Safe with {@code pipeline.object-reuse}: the window keeps the request values (immutable
 * records) and their timestamps, never the {@link StreamRecord} objects an upstream operator
 * may reuse, and every output is a new {@link StreamRecord}.
 *
 * <p>With {@link #sampleForCalibration} the operator also sends the float vectors that
 * calibration still needs to the {@link #CALIBRATION_SAMPLE} side output (see {@link
 * CalibrationSampler}); the count sent is operator state, so a restore does not send again.
 *
 * <p>Memory per instance: the model's weights (23 MB int8 / 90 MB fp32 for MiniLM-sized models
 * such as mdbr-leaf-mt), the tokenizer (~5 MB), ONNX Runtime's arena for the largest batch
 * (tens of MB at the default 16,384 token positions), the window and the optional cache. Give a
 * slot at least 256 MB of task off-heap/managed headroom.
 */
public class EmbeddingOperator extends AbstractStreamOperator<EmbedResult>
        implements OneInputStreamOperator<EmbedRequest, EmbedResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingOperator.class);

    /** The side output of records that could not be embedded. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /** The side output of float vectors for the {@link RangeCalibrator}'s sample. */
    public static final OutputTag<float[]> CALIBRATION_SAMPLE =
            new OutputTag<>("calibration-sample", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Opens the Embedder for a set of options: {@code Embedder::open}, or a failing one in tests. */
    @FunctionalInterface
    interface EmbedderFactory extends Serializable {
        Embedder open(EmbedderOptions options);
    }

    /**
     * A request waiting in the window: its value and timestamp, copied out of the incoming
     * StreamRecord, which the upstream operator may reuse for the next record under object reuse.
     */
    private record Pending(EmbedRequest request, long timestamp, boolean hasTimestamp) {

        static Pending of(StreamRecord<EmbedRequest> record) {
            return new Pending(record.getValue(), record.getTimestamp(), record.hasTimestamp());
        }

        /** A new record carrying {@code value} with this request's timestamp (or none). */
        <T> StreamRecord<T> wrap(T value) {
            return hasTimestamp ? new StreamRecord<>(value, timestamp) : new StreamRecord<>(value);
        }
    }

    private final EmbedderOptions embedderOptions;
    private final Map<String, EmbedderOptions> roleOptions;
    private final BatchingOptions batching;
    private final int cacheSize;
    private final EmbedderFactory embedderFactory;
    /** Vectors to sample for calibration (job-wide); 0 when not calibrating. */
    private int calibrationSampleSize;

    private transient Embedder embedder;
    private transient Map<String, Embedder> roleEmbedders;
    private transient EmbeddingCache cache;
    private transient EmbeddingMetrics metrics;
    private transient List<Pending> window;
    private transient ScheduledFuture<?> flushTimer;
    /** System.nanoTime() when the window's first record arrived. */
    private transient long windowStartNanos;
    /** Embedding time per record, a moving average over the windows so far (for the latency budget). */
    private transient long nanosPerRecord;
    private transient boolean nanosPerRecordMeasured;
    private transient CalibrationSampler sampler;
    private transient ListState<Long> calibrationSentState;

    /** @param cacheSize embeddings cached per instance by role and text; 0 for none */
    public EmbeddingOperator(EmbedderOptions embedderOptions, BatchingOptions batching, int cacheSize) {
        this(embedderOptions, Map.of(), batching, cacheSize);
    }

    /**
     * An operator with a model per role (asymmetric retrieval: e.g. queries on mdbr-leaf-mt,
     * documents on mxbai-embed-large-v1); roles not in {@code roleOptions} use {@code
     * embedderOptions}. Each model is loaded once per instance; all must give the same dims.
     */
    public EmbeddingOperator(EmbedderOptions embedderOptions, Map<String, EmbedderOptions> roleOptions,
            BatchingOptions batching, int cacheSize) {
        this(embedderOptions, roleOptions, batching, cacheSize, Embedder::open);
    }

    /** As the public constructor, opening models with {@code embedderFactory} (tests inject faults). */
    EmbeddingOperator(EmbedderOptions embedderOptions, Map<String, EmbedderOptions> roleOptions,
            BatchingOptions batching, int cacheSize, EmbedderFactory embedderFactory) {
        this.embedderFactory = embedderFactory;
        this.embedderOptions = embedderOptions;
        this.roleOptions = new HashMap<>(roleOptions);
        this.batching = batching;
        this.cacheSize = cacheSize;
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cache size must be >= 0 but was " + cacheSize);
        }
    }

    /**
     * Sends the float vectors of up to {@code sampleSize} embeddings (job-wide, about {@code
     * sampleSize / parallelism} per subtask) to {@link #CALIBRATION_SAMPLE}, for a {@link
     * RangeCalibrator} with the same sample size.
     *
     * @return this operator
     */
    public EmbeddingOperator sampleForCalibration(int sampleSize) {
        if (sampleSize < 1) {
            throw new IllegalArgumentException("calibration sample size must be positive but was " + sampleSize);
        }
        this.calibrationSampleSize = sampleSize;
        return this;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (calibrationSampleSize == 0) {
            return;
        }
        // union state: after rescaling, every subtask sees all counts and can tell whether the
        // sample is complete (the calibrator, restored from the same checkpoint, then has it)
        calibrationSentState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("calibration-sent", Types.LONG));
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        long alreadySent = context.isRestored()
                ? CalibrationSampler.restoredSent(calibrationSentState.get(), calibrationSampleSize, parallelism)
                : 0;
        sampler = new CalibrationSampler(calibrationSampleSize, parallelism, alreadySent);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (sampler != null) {
            calibrationSentState.update(List.of(sampler.sent()));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        try {
            openModels();
        } catch (ModelLoadException e) {
            // a missing or broken model does not heal by restarting: fail the job once, clearly
            throw new SuppressRestartsException(e);
        }
        cache = new EmbeddingCache(cacheSize);
        metrics = new EmbeddingMetrics(getMetricGroup());
        window = new ArrayList<>(Math.min(batching.windowSize(), 1024));
        nanosPerRecord = BatchingOptions.ASSUMED_NANOS_PER_RECORD;
        LOG.info("Embedding with model '{}' ({} dims, {}, max {} tokens) in subtask {}",
                embedder.modelId(), embedder.dims(), embedderOptions.quantization(), embedder.maxLength(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    private void openModels() {
        roleEmbedders = new HashMap<>();
        embedder = embedderFactory.open(embedderOptions);
        for (Map.Entry<String, EmbedderOptions> role : roleOptions.entrySet()) {
            Embedder roleEmbedder = embedderFactory.open(role.getValue());
            roleEmbedders.put(role.getKey(), roleEmbedder); // before the check: close() must close it
            if (roleEmbedder.dims() != embedder.dims()) {
                throw new ModelLoadException(roleEmbedder.modelId(), "the model of role '" + role.getKey()
                        + "' gives " + roleEmbedder.dims() + " dims but the main model '" + embedder.modelId()
                        + "' gives " + embedder.dims() + ": models of an asymmetric pair must be aligned,"
                        + " with the same dims (set embedding.truncate-dim to a common size if both are"
                        + " Matryoshka models)");
            }
            LOG.info("Role '{}' embeds with model '{}'", role.getKey(), roleEmbedder.modelId());
        }
    }

    /** This instance's metrics (for tests and monitoring). */
    public EmbeddingMetrics metrics() {
        return metrics;
    }

    @Override
    public void processElement(StreamRecord<EmbedRequest> record) throws Exception {
        metrics.recordIn();
        EmbedRequest request = record.getValue();
        Optional<String> reason = request.text() == null
                ? Optional.of("missing text")
                : embedderFor(request.role()).rejectReason(new TextInput(request.text(), request.role()));
        if (reason.isPresent()) {
            deadLetter(Pending.of(record), reason.get());
            return;
        }
        window.add(Pending.of(record));
        if (window.size() == 1) {
            windowStartNanos = System.nanoTime();
        }
        if (window.size() >= batching.windowSize() || batching.maxWaitMillis() == 0
                || batching.budgetReached(window.size(), System.nanoTime() - windowStartNanos, nanosPerRecord)) {
            flush();
        } else if (window.size() == 1) {
            long deadline = getProcessingTimeService().getCurrentProcessingTime() + batching.maxWaitMillis();
            flushTimer = getProcessingTimeService().registerTimer(deadline, time -> flush());
        }
    }

    /** Records held in the window are older than the watermark: they leave first. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        if (window.isEmpty()) {
            return;
        }
        List<Pending> records = window;
        window = new ArrayList<>(Math.min(batching.windowSize(), 1024));
        long flushStart = System.nanoTime();
        embedAndEmit(records);
        long perRecord = (System.nanoTime() - flushStart) / records.size();
        // a moving average: one slow window (a GC, a long text) should not halve the next ones
        nanosPerRecord = nanosPerRecordMeasured ? (3 * nanosPerRecord + perRecord) / 4 : perRecord;
        nanosPerRecordMeasured = true;
    }

    private void embedAndEmit(List<Pending> records) {
        Embedder.Outcome[] results = new Embedder.Outcome[records.size()];
        // cache misses, grouped by the model that embeds them (one group unless roles have models)
        Map<Embedder, List<Integer>> misses = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            EmbedRequest r = records.get(i).request();
            Embedding cached = cache.get(r.role(), r.text());
            if (cached != null) {
                metrics.cacheHit();
                results[i] = new Embedder.Outcome(cached, null);
            } else {
                misses.computeIfAbsent(embedderFor(r.role()), e -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Embedder, List<Integer>> group : misses.entrySet()) {
            List<TextInput> inputs = new ArrayList<>(group.getValue().size());
            for (int i : group.getValue()) {
                EmbedRequest r = records.get(i).request();
                inputs.add(new TextInput(r.text(), r.role()));
            }
            // throws when the fault is not in the texts: the task fails and Flink restarts it
            List<Embedder.Outcome> embedded = group.getKey().embedEach(inputs, metrics);
            for (int k = 0; k < inputs.size(); k++) {
                results[group.getValue().get(k)] = embedded.get(k);
            }
        }
        for (int i = 0; i < records.size(); i++) {
            Pending pending = records.get(i);
            EmbedRequest r = pending.request();
            if (results[i].failed()) {
                RuntimeException failure = results[i].failure();
                LOG.warn("Text of {} chars (id {}) cannot be embedded; sending it to the dead letters",
                        r.text().length(), r.id(), failure);
                deadLetter(pending, "embedding failed for this text alone: " + failure);
                continue;
            }
            Embedding embedding = results[i].embedding();
            cache.put(r.role(), r.text(), embedding);
            metrics.recordOut(embedding.truncated());
            output.collect(pending.wrap(EmbedResult.of(r, embedding)));
            if (sampler != null && sampler.take()) {
                output.collect(CALIBRATION_SAMPLE, pending.wrap(embedding.vector()));
            }
        }
    }

    private Embedder embedderFor(String role) {
        Embedder roleEmbedder = role == null ? null : roleEmbedders.get(role);
        return roleEmbedder != null ? roleEmbedder : embedder;
    }

    private void deadLetter(Pending pending, String reason) {
        metrics.deadLetter();
        output.collect(DEAD_LETTERS, pending.wrap(DeadLetter.rejected(pending.request(), reason)));
    }

    @Override
    public void close() throws Exception {
        try {
            if (roleEmbedders != null) {
                roleEmbedders.values().forEach(Embedder::close);
            }
            if (embedder != null) {
                embedder.close();
            }
        } finally {
            super.close();
        }
    }
}
