package io.leafembed.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import io.leafembed.function.BatchingOptions;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The micro-batcher behind the asynchronous SQL functions, with the real fp32 all-MiniLM-L6-v2:
 * every future gets its own text's vector (equal to embedding it alone), a full window runs at
 * once, a lone request runs after the max wait, and closing cancels what is still queued.
 */
class MicroBatcherTest {

    private static Embedder embedder;

    @BeforeAll
    static void open() {
        embedder = Embedder.open(TestModels.minilm().build());
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void eachFutureGetsItsOwnTextsVectorInFewModelRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger embedded = new AtomicInteger();
        List<CompletableFuture<Embedder.Outcome>> futures = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try (MicroBatcher batcher = new MicroBatcher(embedder, new BatchingOptions(64, 10_000),
                (n, real, computed, nanos) -> {
                    runs.incrementAndGet();
                    embedded.addAndGet(n);
                }, "test batcher")) {
            for (int i = 0; i < 64; i++) {
                String text = "text number " + i + " " + "word ".repeat(i % 13);
                texts.add(text);
                futures.add(batcher.submit(TextInput.document(text)));
            }
            // a full window runs at once, long before the 10 s max wait
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        for (int i = 0; i < texts.size(); i++) {
            Embedder.Outcome outcome = futures.get(i).get();
            assertThat(outcome.failed()).isFalse();
            float[] alone = embedder.embed(TextInput.document(texts.get(i))).vector();
            assertThat(Vectors.maxAbsDiff(outcome.embedding().vector(), alone)).as("text %d", i).isLessThan(1e-5);
        }
        // one window of 64, cut by the padded-cost planner into a few batches of similar lengths
        // (13 distinct lengths here), not one model run per text
        assertThat(embedded.get()).isEqualTo(64);
        assertThat(runs.get()).isBetween(1, 8);
    }

    @Test
    void aLoneRequestRunsAfterTheMaxWait() throws Exception {
        try (MicroBatcher batcher = new MicroBatcher(embedder, new BatchingOptions(256, 50), (n, r, c, t) -> {},
                "test batcher")) {
            long start = System.nanoTime();
            Embedder.Outcome outcome = batcher.submit(TextInput.query("alone")).get(60, TimeUnit.SECONDS);
            assertThat(outcome.embedding().dims()).isEqualTo(384);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void closingCancelsQueuedRequests() throws Exception {
        MicroBatcher batcher = new MicroBatcher(embedder, new BatchingOptions(256, 600_000), (n, r, c, t) -> {},
                "test batcher");
        CompletableFuture<Embedder.Outcome> queued = batcher.submit(TextInput.query("never embedded"));
        batcher.close();
        assertThat(queued).isCompletedExceptionally();
        assertThat(batcher.submit(TextInput.query("after close"))).isCompletedExceptionally();
    }
}
