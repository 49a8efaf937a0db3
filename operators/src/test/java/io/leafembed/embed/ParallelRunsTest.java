package io.leafembed.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.batching.BatchListener;
import io.leafembed.inference.SessionSettings;
import io.leafembed.testutils.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * How an Embedder runs a call's batches: several model runs at once on one session ({@link
 * SessionSettings#parallelRuns()}) give the same batches as one run at a time, so the same
 * vectors bit for bit (one intra-op thread either way), the same batch figures told to the
 * listener, and a failing text still isolated alone; either way an interrupted caller stops
 * between batches instead of running the rest of a window nobody waits for.
 */
class ParallelRunsTest {

    private static final List<TextInput> TEXTS = texts();

    private static List<TextInput> texts() {
        String[] words = "the quick brown fox jumps over a lazy dog while streams of text become vectors".split(" ");
        List<TextInput> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder text = new StringBuilder("text " + i);
            for (int w = 0; w < (i * 7) % 45; w++) {
                text.append(' ').append(words[(i + w) % words.length]);
            }
            out.add(TextInput.document(text.toString()));
        }
        return out;
    }

    private static EmbedderOptions options(int runs) {
        return TestModels.minilm().session(SessionSettings.defaults().withParallelRuns(runs)).build();
    }

    @Test
    void twoRunsAtOnceGiveTheVectorsAndBatchFiguresOfOneAtATime() {
        AtomicLong[] one = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        AtomicLong[] two = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        List<Embedding> sequential;
        List<Embedding> parallel;
        Set<String> listenerThreads = ConcurrentHashMap.newKeySet();
        try (Embedder embedder = Embedder.open(options(1))) {
            sequential = embedder.embed(TEXTS, counting(one, listenerThreads));
        }
        try (Embedder embedder = Embedder.open(options(2))) {
            parallel = embedder.embed(TEXTS, counting(two, listenerThreads));
        }
        assertThat(listenerThreads).containsExactly(Thread.currentThread().getName());
        assertThat(one[0].get()).as("batches").isGreaterThan(5).isEqualTo(two[0].get());
        assertThat(two[1].get()).as("texts").isEqualTo(TEXTS.size());
        assertThat(two[2].get()).as("computed positions").isEqualTo(one[2].get());
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(Arrays.equals(parallel.get(i).vector(), sequential.get(i).vector())).as("text %d", i).isTrue();
        }
    }

    private static BatchListener counting(AtomicLong[] counts, Set<String> threads) {
        return (texts, real, computed, nanos) -> {
            threads.add(Thread.currentThread().getName());
            counts[0].incrementAndGet();
            counts[1].addAndGet(texts);
            counts[2].addAndGet(computed);
        };
    }

    @Test
    void aFailingTextIsIsolatedAloneAndAnErrorStillReachesTheCaller() {
        long[] poison;
        try (Embedder embedder = Embedder.open(options(1))) {
            poison = embedder.tokenize(TEXTS.get(123)).ids();
        }
        try (Embedder embedder = FaultInjection.failingModel(options(2), batch -> {
            for (int b = 0; b < batch.size(); b++) {
                if (Arrays.equals(batch.text(b).ids(), poison)) {
                    throw new IllegalStateException("simulated: this text breaks pooling");
                }
            }
        })) {
            List<Embedder.Outcome> outcomes = embedder.embedEach(TEXTS, BatchListener.NONE);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertThat(outcomes.get(i).failed()).as("text %d", i).isEqualTo(i == 123);
            }
            assertThat(outcomes.get(123).failure()).hasMessageContaining("simulated");
        }
        try (Embedder embedder = FaultInjection.failingModel(options(2), batch -> {
            throw new OutOfMemoryError("simulated");
        })) {
            assertThatThrownBy(() -> embedder.embed(TEXTS)).isInstanceOf(OutOfMemoryError.class);
        }
    }

    /**
     * A Flink task that is cancelled interrupts its thread inside {@code embed}; the task then
     * closes the Embedder. Runs still in flight must end first: closing the session under a run
     * aborted the process (seen as exit 134 when a full disk stopped the local job).
     */
    @Test
    void anInterruptedCallLetsItsRunsEndBeforeTheSessionCloses() throws Exception {
        List<TextInput> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.addAll(TEXTS);
        }
        java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        // each run first spins 100 ms, deaf to interrupts as native code is
        Embedder embedder = FaultInjection.failingModel(options(2), batch -> {
            started.incrementAndGet();
            long until = System.nanoTime() + 100_000_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            ended.incrementAndGet();
        });
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                embedder.embed(many);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        Thread.sleep(250);
        caller.interrupt();
        caller.join(120_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(io.leafembed.inference.InferenceException.class)
                .hasMessageContaining("interrupted");
        assertThat(started.get()).as("runs started").isPositive().isLessThan(many.size());
        assertThat(ended.get()).as("runs that had ended when the call returned").isEqualTo(started.get());
        embedder.close();
        try (Embedder again = Embedder.open(options(2))) {
            assertThat(again.embed(TEXTS.subList(0, 3))).hasSize(3); // the process is alive and well
        }
    }

    /**
     * One run at a time, as an operator's window thread embeds when close() interrupts it: the
     * call stops after the batch in progress instead of running the rest of the window, and
     * embedEach throws instead of taking the interrupt for a failure of the texts (dead letters).
     */
    @Test
    void oneRunAtATimeStopsBetweenBatchesWhenInterrupted() {
        for (boolean each : new boolean[] {false, true}) {
            java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
            try (Embedder embedder = FaultInjection.failingModel(options(1), batch -> {
                if (runs.incrementAndGet() == 2) {
                    Thread.currentThread().interrupt(); // as a cancel arrives while a run goes on
                }
            })) {
                assertThatThrownBy(() -> {
                    if (each) {
                        embedder.embedEach(TEXTS, BatchListener.NONE);
                    } else {
                        embedder.embed(TEXTS);
                    }
                }).as(each ? "embedEach" : "embed").isInstanceOf(io.leafembed.inference.InferenceException.class)
                        .hasMessageContaining("interrupted");
                assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
                assertThat(runs.get()).as("runs after the interrupt").isEqualTo(2);
            }
        }
    }
}
