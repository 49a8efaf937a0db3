package io.leafembed.function;

import io.leafembed.batching.BatchListener;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A closed window of requests on its way through the model: which records the cache answered,
 * which texts each model must embed, and, once {@link #embed} has run, every record's outcome.
 * The {@link EmbeddingOperator} prepares and emits it on the task thread, since the cache and the
 * metrics are not thread-safe; {@link #embed} may run on another thread, so it touches neither and
 * only records the model batches, which the task thread {@link #replayBatches replays} to the
 * metrics.
 */
final class EmbeddingWindow {

    private final List<EmbeddingOperator.Pending> records;
    private final Embedder.Outcome[] outcomes;
    /** Cache misses by the model that embeds them (one group unless roles have models of their own). */
    private final Map<Embedder, List<Integer>> misses = new LinkedHashMap<>();
    private final List<long[]> batches = new ArrayList<>();
    private long embedNanos;

    private EmbeddingWindow(List<EmbeddingOperator.Pending> records) {
        this.records = records;
        this.outcomes = new Embedder.Outcome[records.size()];
    }

    /** Looks every record up in {@code cache} and groups the misses by the model that embeds them. */
    static EmbeddingWindow prepare(List<EmbeddingOperator.Pending> records, EmbeddingCache cache,
            EmbeddingMetrics metrics, Function<String, Embedder> embedderForRole) {
        EmbeddingWindow window = new EmbeddingWindow(records);
        for (int i = 0; i < records.size(); i++) {
            EmbedRequest r = records.get(i).request();
            Embedding cached = cache.get(r.role(), r.text());
            if (cached != null) {
                metrics.cacheHit();
                window.outcomes[i] = new Embedder.Outcome(cached, null);
            } else {
                window.misses.computeIfAbsent(embedderForRole.apply(r.role()), e -> new ArrayList<>()).add(i);
            }
        }
        return window;
    }

    /**
     * Embeds the cache misses. Throws (and the task must fail) when a fault is not in the texts;
     * see {@link Embedder#embedEach}.
     */
    void embed() {
        long start = System.nanoTime();
        BatchListener recorder = (texts, real, computed, nanos) -> batches.add(new long[] {texts, real, computed, nanos});
        for (Map.Entry<Embedder, List<Integer>> group : misses.entrySet()) {
            List<TextInput> inputs = new ArrayList<>(group.getValue().size());
            for (int i : group.getValue()) {
                EmbedRequest r = records.get(i).request();
                inputs.add(new TextInput(r.text(), r.role()));
            }
            List<Embedder.Outcome> embedded = group.getKey().embedEach(inputs, recorder);
            for (int k = 0; k < inputs.size(); k++) {
                outcomes[group.getValue().get(k)] = embedded.get(k);
            }
        }
        embedNanos = System.nanoTime() - start;
    }

    /** Tells {@code listener} about the model batches {@link #embed} ran. */
    void replayBatches(BatchListener listener) {
        for (long[] batch : batches) {
            listener.onBatch((int) batch[0], batch[1], batch[2], batch[3]);
        }
    }

    int size() {
        return records.size();
    }

    EmbeddingOperator.Pending record(int i) {
        return records.get(i);
    }

    Embedder.Outcome outcome(int i) {
        return outcomes[i];
    }

    /** How long {@link #embed} took. */
    long embedNanos() {
        return embedNanos;
    }
}
