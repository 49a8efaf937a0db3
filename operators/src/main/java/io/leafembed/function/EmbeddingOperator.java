package io.leafembed.function;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.inference.InferenceException;
import io.leafembed.model.ModelLoadException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.runtime.execution.SuppressRestartsException;
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
 * waited {@code maxWaitMillis}, before every checkpoint barrier and watermark, and at the end of
 * input. A model that cannot be loaded fails the job without restarts (it would fail again).
 * Flushing before the barrier means no record is ever buffered across a checkpoint: everything
 * received before the barrier is emitted before it, so a restore replays exactly the records
 * after it, and an exactly-once sink downstream sees each result once.
 *
 * <p>Records the model refuses (empty text under the REJECT policy, unknown role) go to the
 * {@link #DEAD_LETTERS} side output with the reason. If ONNX Runtime fails on a batch, each of
 * its records is retried alone and only those that still fail become dead letters, so one
 * poisonous text cannot stop the job.
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

    private final EmbedderOptions embedderOptions;
    private final Map<String, EmbedderOptions> roleOptions;
    private final BatchingOptions batching;
    private final int cacheSize;

    private transient Embedder embedder;
    private transient Map<String, Embedder> roleEmbedders;
    private transient EmbeddingCache cache;
    private transient EmbeddingMetrics metrics;
    private transient List<StreamRecord<EmbedRequest>> window;
    private transient ScheduledFuture<?> flushTimer;

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
        this.embedderOptions = embedderOptions;
        this.roleOptions = new HashMap<>(roleOptions);
        this.batching = batching;
        this.cacheSize = cacheSize;
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cache size must be >= 0 but was " + cacheSize);
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
        LOG.info("Embedding with model '{}' ({} dims, {}, max {} tokens) in subtask {}",
                embedder.modelId(), embedder.dims(), embedderOptions.quantization(), embedder.maxLength(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    }

    private void openModels() {
        embedder = Embedder.open(embedderOptions);
        roleEmbedders = new HashMap<>();
        for (Map.Entry<String, EmbedderOptions> role : roleOptions.entrySet()) {
            Embedder roleEmbedder = Embedder.open(role.getValue());
            roleEmbedders.put(role.getKey(), roleEmbedder);
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
            deadLetter(record, reason.get());
            return;
        }
        window.add(record);
        if (window.size() >= batching.windowSize() || batching.maxWaitMillis() == 0) {
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
        List<StreamRecord<EmbedRequest>> records = window;
        window = new ArrayList<>(Math.min(batching.windowSize(), 1024));
        Embedding[] results = new Embedding[records.size()];
        // cache misses, grouped by the model that embeds them (one group unless roles have models)
        Map<Embedder, List<Integer>> misses = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            EmbedRequest r = records.get(i).getValue();
            results[i] = cache.get(r.role(), r.text());
            if (results[i] != null) {
                metrics.cacheHit();
            } else {
                misses.computeIfAbsent(embedderFor(r.role()), e -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Embedder, List<Integer>> group : misses.entrySet()) {
            List<TextInput> inputs = new ArrayList<>(group.getValue().size());
            for (int i : group.getValue()) {
                EmbedRequest r = records.get(i).getValue();
                inputs.add(new TextInput(r.text(), r.role()));
            }
            List<Embedding> embedded = embedIsolatingFailures(group.getKey(), inputs);
            for (int k = 0; k < inputs.size(); k++) {
                results[group.getValue().get(k)] = embedded.get(k);
            }
        }
        for (int i = 0; i < records.size(); i++) {
            StreamRecord<EmbedRequest> record = records.get(i);
            if (results[i] == null) {
                deadLetter(record, "inference failed for this text alone (see the task log)");
                continue;
            }
            EmbedRequest r = record.getValue();
            cache.put(r.role(), r.text(), results[i]);
            metrics.recordOut(results[i].truncated());
            output.collect(record.replace(EmbedResult.of(r, results[i])));
        }
    }

    private Embedder embedderFor(String role) {
        Embedder roleEmbedder = role == null ? null : roleEmbedders.get(role);
        return roleEmbedder != null ? roleEmbedder : embedder;
    }

    /**
     * Embeds the inputs; when a batch fails, retries each input alone (null where it still fails).
     * If every text of a batch of several fails alone too, the fault is not in the texts (memory,
     * device): the exception propagates and the job restarts instead of dead-lettering the stream.
     */
    private List<Embedding> embedIsolatingFailures(Embedder embedder, List<TextInput> inputs) {
        try {
            return embedder.embed(inputs, metrics);
        } catch (InferenceException e) {
            LOG.warn("A batch of {} texts failed; retrying them one by one", inputs.size(), e);
            List<Embedding> out = new ArrayList<>(inputs.size());
            int failed = 0;
            for (TextInput input : inputs) {
                try {
                    out.add(embedder.embed(List.of(input), metrics).get(0));
                } catch (InferenceException single) {
                    LOG.warn("Text of {} chars cannot be embedded: {}", input.text().length(), single.getMessage());
                    out.add(null);
                    failed++;
                }
            }
            if (failed == inputs.size() && inputs.size() > 1) {
                throw e;
            }
            return out;
        }
    }

    private void deadLetter(StreamRecord<EmbedRequest> record, String reason) {
        metrics.deadLetter();
        output.collect(DEAD_LETTERS, new StreamRecord<>(DeadLetter.rejected(record.getValue(), reason),
                record.getTimestamp()));
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
