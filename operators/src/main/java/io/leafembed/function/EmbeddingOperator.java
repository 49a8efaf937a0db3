package io.leafembed.function;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.inference.NativeWorkThreads;
import io.leafembed.model.ModelLoadException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.MailboxExecutor;
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
 * <p>With {@link BatchingOptions#pipelined()} (the default) a closed window is embedded on a
 * thread of the operator's own, at most one at a time, while the task thread goes on reading and
 * filling the next window; the results come back through the task's mailbox, so they are emitted
 * on the task thread, in arrival order. A full window, or one at its latency budget, waits for the
 * window in flight (backpressure), starts, and only then is the window before emitted, so that
 * the chained operators and sinks run while the model works rather than while it idles; a window
 * whose wait is over while the model is busy goes on filling and leaves when the model is free.
 * The flush points above also wait for the window in flight, and close() waits for its model
 * runs before the model is closed.
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
 * may reuse, and every output is a new {@link StreamRecord}. Under object reuse, chained
 * operators downstream get the very vector arrays the cache holds (and the calibration sample):
 * they must read them, never change them in place (the job's sinks only read).
 *
 * <p>With {@link #sampleForCalibration} the operator also sends the float vectors that
 * calibration still needs to the {@link #CALIBRATION_SAMPLE} side output (see {@link
 * CalibrationSampler}); the count sent is operator state, so a restore does not send again.
 *
 * <p>Memory per instance: the model's weights (23 MB int8 / 90 MB fp32 for MiniLM-sized models
 * such as mdbr-leaf-mt), the tokenizer (~5 MB), ONNX Runtime's arena for the largest batch
 * (tens of MB at the default 16,384 token positions), the window and the optional cache. Give a
 * slot at least 256 MB of task off-heap/managed headroom. With {@link #shareModelsPerTaskManager}
 * the model, tokenizer and arena are held once per TaskManager instead.
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
    record Pending(EmbedRequest request, long timestamp, boolean hasTimestamp) {

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
    /** Hold models through {@link SharedEmbedders} (one session per TaskManager) instead of one per instance. */
    private boolean shareModels;

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
    /** Embeds pipelined windows; null when windows are embedded on the task thread. */
    private transient ExecutorService embeddingThread;
    /** Runs letters on the task thread (set by Flink before open). */
    private transient MailboxExecutor mailbox;
    /** The pipelined window being embedded (or embedded but not yet emitted), or null. */
    private transient Future<EmbeddingWindow> inFlight;
    /** The filling window's wait is over, and it leaves when the window in flight is done. */
    private transient boolean windowDue;
    /**
     * A model failed for a reason not in the texts: a shared one must not go to a restarted
     * instance. Set by the window thread too (the task may be cancelled before it hears).
     */
    private transient volatile boolean modelSuspect;
    /** Counts flushes, so that a timer callback already queued when its window left does nothing. */
    private transient long windowNumber;
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

    /**
     * Has the instances of this job in one TaskManager share one model (one ONNX Runtime session,
     * its weights and its {@code parallelRuns} run threads) per set of options, instead of one per
     * instance: the weights and arena once per TaskManager, and a busy slot may use the run
     * threads an idle one leaves. Give the session as many parallel runs as the TaskManager has
     * cores for embedding (see {@link SharedEmbedders}).
     *
     * @return this operator
     */
    public EmbeddingOperator shareModelsPerTaskManager() {
        this.shareModels = true;
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
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
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
        if (batching.pipelined() && mailbox != null) {
            String name = "leaf-embed-window-" + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks();
            embeddingThread = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
            });
        }
        LOG.info("Embedding with model '{}' ({} dims, {}, max {} tokens; {}) in subtask {}",
                embedder.modelId(), embedder.dims(), embedderOptions.quantization(), embedder.maxLength(),
                embedder.sessionSummary(), getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    private void openModels() {
        roleEmbedders = new HashMap<>();
        embedder = openModel(embedderOptions);
        for (Map.Entry<String, EmbedderOptions> role : roleOptions.entrySet()) {
            Embedder roleEmbedder = openModel(role.getValue());
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

    private Embedder openModel(EmbedderOptions options) {
        return shareModels ? SharedEmbedders.acquire(options, embedderFactory) : embedderFactory.open(options);
    }

    private void closeModel(Embedder model) {
        if (shareModels) {
            SharedEmbedders.release(model, modelSuspect);
        } else {
            model.close();
        }
    }

    /** The main model this instance embeds with (for tests). */
    Embedder model() {
        return embedder;
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
        // a full window, or one at its budget, goes now (waiting for the window in flight, if
        // any: backpressure); one whose wait is over goes as soon as the model is free
        if (window.size() >= batching.windowSize()
                || batching.budgetReached(window.size(), System.nanoTime() - windowStartNanos, nanosPerRecord)) {
            flush();
        } else if (batching.maxWaitMillis() == 0 || windowDue) {
            waitIsOver();
        } else if (window.size() == 1) {
            long deadline = getProcessingTimeService().getCurrentProcessingTime() + batching.maxWaitMillis();
            long thisWindow = windowNumber;
            // cancel() cannot take back a callback Flink has already queued in the mailbox: one
            // that runs after its window left must not cut the next window short
            flushTimer = getProcessingTimeService().registerTimer(deadline, time -> {
                if (windowNumber == thisWindow) {
                    waitIsOver();
                }
            });
        }
    }

    /**
     * The window's wait is over: it goes now if the model is free; while a pipelined window is
     * being embedded it goes on filling, and leaves when that one is done (a blocking flush here
     * would stop the task thread for nothing: the window could not start sooner).
     */
    private void waitIsOver() throws Exception {
        if (inFlight != null && !inFlight.isDone()) {
            windowDue = true;
        } else {
            flush();
        }
    }

    /** Records held in the window are older than the watermark: they leave first. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        drain();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        drain();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        drain();
        super.finish();
    }

    private void flush() throws Exception {
        windowNumber++;
        windowDue = false;
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        if (window.isEmpty()) {
            return;
        }
        EmbeddingWindow closed = EmbeddingWindow.prepare(window, cache, metrics, this::embedderFor);
        window = new ArrayList<>(Math.min(batching.windowSize(), 1024));
        if (embeddingThread == null) {
            try {
                closed.embed();
            } catch (RuntimeException | Error e) {
                suspectModelUnlessCancelled();
                throw e;
            }
            emit(closed);
            return;
        }
        // the window before must be done (backpressure; a failure fails the task before this
        // window starts), but it is emitted only once this one is on the model: emitting runs the
        // chained operators and sinks (JSON, the Kafka producer), and the model would idle meanwhile
        EmbeddingWindow before = awaitInFlight();
        CompletableFuture<EmbeddingWindow> embedded = new CompletableFuture<>();
        inFlight = embedded;
        embeddingThread.execute(() -> {
            try {
                closed.embed();
                embedded.complete(closed);
            } catch (Throwable t) {
                suspectModelUnlessCancelled();
                embedded.completeExceptionally(t);
            }
            // only now: a letter that ran before the window was done would find nothing to emit,
            // and a lone window would wait for the next record (forever on a quiet stream)
            tellTaskThread(embedded);
        });
        if (before != null) {
            emit(before); // before anything of this window: results stay in arrival order
        }
    }

    /**
     * Has the task thread send the filling window to the model if its wait is over, and emit the
     * window just embedded (a lone window need not wait for the next record; a fault fails the
     * task now).
     */
    private void tellTaskThread(Future<EmbeddingWindow> embedded) {
        try {
            mailbox.execute(() -> {
                if (windowDue) {
                    waitIsOver(); // the due window goes to the model first, then this one is emitted
                }
                if (inFlight == embedded) { // not yet emitted by a flush point
                    emitInFlight();
                }
            }, "emit embedded window");
        } catch (RejectedExecutionException closing) {
            // the task is ending: nothing is emitted any more
        }
    }

    /** Waits for the window in flight, if any, and emits it. */
    private void emitInFlight() throws Exception {
        EmbeddingWindow done = awaitInFlight();
        if (done != null) {
            emit(done);
        }
    }

    /**
     * Waits for the window in flight and takes it out of flight (null if there is none); the
     * caller must emit it before anything that arrived later.
     */
    private EmbeddingWindow awaitInFlight() throws Exception {
        if (inFlight == null) {
            return null;
        }
        Future<EmbeddingWindow> embedded = inFlight;
        inFlight = null;
        try {
            return embedded.get();
        } catch (ExecutionException e) {
            // a fault not in the texts (or an Error): fail the task so that Flink restarts it
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw (Error) cause;
        }
    }

    /**
     * Embedding a window threw: the texts' own faults are outcomes, so this one is the model's,
     * unless the thread was interrupted (the task is being cancelled, the model is fine).
     */
    private void suspectModelUnlessCancelled() {
        if (!Thread.currentThread().isInterrupted()) {
            modelSuspect = true;
        }
    }

    /** Flushes the window and waits until every record received so far has been emitted. */
    private void drain() throws Exception {
        flush();
        emitInFlight();
    }

    private void emit(EmbeddingWindow done) {
        done.replayBatches(metrics);
        long perRecord = done.embedNanos() / done.size();
        // a moving average: one slow window (a GC, a long text) should not halve the next ones
        nanosPerRecord = nanosPerRecordMeasured ? (3 * nanosPerRecord + perRecord) / 4 : perRecord;
        nanosPerRecordMeasured = true;
        for (int i = 0; i < done.size(); i++) {
            Pending pending = done.record(i);
            EmbedRequest r = pending.request();
            Embedder.Outcome outcome = done.outcome(i);
            if (outcome.failed()) {
                RuntimeException failure = outcome.failure();
                LOG.warn("Text of {} chars (id {}) cannot be embedded; sending it to the dead letters",
                        r.text().length(), r.id(), failure);
                deadLetter(pending, "embedding failed for this text alone: " + failure);
                continue;
            }
            Embedding embedding = outcome.embedding();
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
            if (embeddingThread != null) {
                // a window still in flight (the task was cancelled) must end before its model closes
                NativeWorkThreads.stopAndAwait(embeddingThread);
            }
            if (roleEmbedders != null) {
                roleEmbedders.values().forEach(this::closeModel);
            }
            if (embedder != null) {
                closeModel(embedder);
            }
        } finally {
            super.close();
        }
    }
}
