package io.leafembed.sql;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import io.leafembed.function.EmbeddingMetrics;
import io.leafembed.model.ModelLoadException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model of one parallel instance of a SQL function: one {@link Embedder} (one ONNX Runtime
 * session), opened in the function's {@code open} and closed in its {@code close}, the
 * micro-batcher thread for the asynchronous forms, the {@code leafembed} metrics (see {@link
 * EmbeddingMetrics}), and the checks that decide whether a text is refused before it reaches the
 * model.
 */
final class EmbeddingInstance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingInstance.class);
    /** Refusals logged one by one; after that, one line per this many, so a flood cannot fill the log. */
    private static final int LOGGED_ONE_BY_ONE = 20;
    private static final int LOG_EVERY = 1000;

    private final EmbeddingSettings settings;
    private final Embedder embedder;
    private final EmbeddingMetrics metrics;
    private final MicroBatcher batcher;
    /** Refused rows so far; counted from the task thread and the batcher thread. */
    private final java.util.concurrent.atomic.AtomicLong refusals = new java.util.concurrent.atomic.AtomicLong();

    private EmbeddingInstance(EmbeddingSettings settings, Embedder embedder, EmbeddingMetrics metrics,
            MicroBatcher batcher) {
        this.settings = settings;
        this.embedder = embedder;
        this.metrics = metrics;
        this.batcher = batcher;
    }

    /**
     * Opens the model; with {@code batched}, also starts the micro-batcher thread.
     *
     * @param what the function, for the log and the thread name
     */
    static EmbeddingInstance open(EmbeddingSettings settings, MetricGroup metricGroup, boolean batched, String what,
            int subtask) {
        Embedder embedder;
        try {
            embedder = Embedder.open(settings.embedder());
        } catch (ModelLoadException e) {
            // a missing or broken model does not heal by restarting: fail the query once, clearly
            throw new SuppressRestartsException(e);
        }
        EmbeddingMetrics metrics = new EmbeddingMetrics(metricGroup);
        if (!embedder.roles().contains(settings.role())) {
            embedder.close();
            throw new SuppressRestartsException(new IllegalArgumentException("leaf-embed: 'role' is '"
                    + settings.role() + "' but the model knows " + embedder.roles()));
        }
        MicroBatcher batcher = batched
                ? new MicroBatcher(embedder, settings.batching(), metrics, "leaf-embed " + what + " batcher " + subtask)
                : null;
        LOG.info("{} (subtask {}) embeds with model '{}' ({} dims, {}, max {} tokens; {}){}", what, subtask,
                embedder.modelId(), embedder.dims(), settings.quantization().id(), embedder.maxLength(),
                embedder.sessionSummary(),
                batched ? ", windows of up to " + settings.batching().windowSize() + " rows or "
                        + settings.batching().maxWaitMillis() + " ms" : ", one model run per row");
        return new EmbeddingInstance(settings, embedder, metrics, batcher);
    }

    /** Why this text cannot be embedded (NULL, too long, empty, unknown role), or empty. */
    Optional<String> refusal(String text, String role) {
        if (text == null) {
            return Optional.of("text is NULL");
        }
        // chars x 3 bounds the UTF-8 size: only long texts pay for the exact count
        if ((long) text.length() * 3 > settings.maxTextBytes()) {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > settings.maxTextBytes()) {
                return Optional.of("text of " + bytes + " UTF-8 bytes is over 'input.max-text-bytes' ("
                        + settings.maxTextBytes() + ")");
            }
        }
        return embedder.rejectReason(new TextInput(text, role));
    }

    /** The role of a call that gives none. */
    String defaultRole() {
        return settings.role();
    }

    /** Queues a checked text for the next window (asynchronous forms). */
    CompletableFuture<Embedder.Outcome> submit(TextInput input) {
        metrics.recordIn();
        return batcher.submit(input);
    }

    /** Embeds a checked text now, in a model run of its own (synchronous form). */
    Embedder.Outcome embedNow(TextInput input) {
        metrics.recordIn();
        return embedder.embedEach(List.of(input), metrics).get(0);
    }

    /** Counts an embedded row. */
    void embedded(boolean truncated) {
        metrics.recordOut(truncated);
    }

    /**
     * Applies the error policy to a refused row: throws {@link RefusedTextException} for failover;
     * otherwise logs and counts the reason and returns normally.
     */
    void refused(String reason, String text) {
        if (settings.errorHandling() == ErrorHandlingStrategy.FAILOVER) {
            throw new RefusedTextException(reason);
        }
        metrics.deadLetter();
        long refused = refusals.incrementAndGet();
        if (refused <= LOGGED_ONE_BY_ONE || refused % LOG_EVERY == 0) {
            LOG.warn("leaf-embed refused a text ({}; {} chars, starts '{}'); error-handling-strategy {} keeps the"
                    + " query running ({} refused so far)", reason, text == null ? 0 : text.length(),
                    text == null ? "" : text.substring(0, Math.min(40, text.length())),
                    settings.errorHandling().name().toLowerCase(java.util.Locale.ROOT), refused);
        }
    }

    EmbeddingSettings settings() {
        return settings;
    }

    EmbeddingMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (batcher != null) {
                batcher.close();
            }
        } finally {
            embedder.close();
        }
    }
}
