package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.leafembed.embed.FaultInjection;
import io.leafembed.inference.InferenceException;
import io.leafembed.testutils.ReferenceModel;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import io.leafembed.tokenize.TokenBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pipelined windows: a closed window is embedded on the operator's own thread while the task
 * thread goes on, and its results come back through the task's mailbox. The model's runs are held
 * at a gate here, so each test decides when the window in flight ends; the vectors are checked
 * against the library's.
 */
class PipelinedWindowsTest {

    @RegisterExtension
    static final ReferenceModel reference = new ReferenceModel();

    /** Model runs wait here until a test opens it. */
    private static volatile CountDownLatch gate;
    /** The texts of every model run, in order. */
    private static final List<Integer> RUN_SIZES = Collections.synchronizedList(new ArrayList<>());
    /** What a model run does after the gate: nothing, fail, or take its time deaf to interrupts. */
    private static volatile String mode;
    private static volatile boolean slowRunEnded;

    @BeforeEach
    void reset() {
        gate = new CountDownLatch(0);
        RUN_SIZES.clear();
        mode = "ok";
        slowRunEnded = false;
    }

    private static void beforeRun(TokenBatch batch) {
        RUN_SIZES.add(batch.size());
        boolean interrupted = false;
        while (true) {
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate"); // no hang on a failed test
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (mode.equals("broken")) {
            throw new InferenceException("minilm", "simulated: the session is broken", null);
        }
        if (mode.equals("jitter")) { // a run of random length, so the task thread races the window thread
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(4));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (mode.equals("slow")) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    interrupted = true; // deaf on purpose: a native run does not stop either
                }
            }
            slowRunEnded = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> harness(int windowSize,
            long maxWaitMillis) throws Exception {
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(), Map.of(),
                new BatchingOptions(windowSize, maxWaitMillis), 0,
                options -> FaultInjection.failingModel(options, PipelinedWindowsTest::beforeRun));
        var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator);
        h.open();
        return h;
    }

    private static EmbedRequest request(int id) {
        return new EmbedRequest(String.valueOf(id), text(id), "document", null);
    }

    /** Texts of equal token length, so that a window is one model batch. */
    private static String text(int id) {
        return "plain record number " + (char) ('a' + id);
    }

    /** Runs the task's mail, as the task thread does between records, until {@code done} holds. */
    private static void runMailUntil(OneInputStreamOperatorTestHarness<?, ?> h, BooleanSupplier done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            Optional<Mail> mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isPresent()) {
                mail.get().run();
            } else if (System.nanoTime() > deadline) {
                fail("the operator did not emit within 60 s");
            } else {
                Thread.sleep(5);
            }
        }
    }

    /** The next letter to the task thread, taken as soon as it is posted (failing after 30 s). */
    private static Mail nextLetter(OneInputStreamOperatorTestHarness<?, ?> h) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Optional<Mail> mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isPresent()) {
                return mail.get();
            }
            Thread.onSpinWait();
        }
        return fail("no letter to the task thread within 30 s");
    }

    /** Runs every letter waiting for the task thread. */
    private static void runAllMail(OneInputStreamOperatorTestHarness<?, ?> h) throws Exception {
        for (Optional<Mail> mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY); mail.isPresent();
                mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY)) {
            mail.get().run();
        }
    }

    /** Waits until the model has been given {@code runs} batches (the window thread starts them). */
    private static void awaitRuns(int runs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (RUN_SIZES.size() < runs && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static void assertEmbeddedInOrder(List<EmbedResult> out, int count) {
        assertThat(out).extracting(EmbedResult::id)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).mapToObj(String::valueOf).toList());
        for (int i = 0; i < count; i++) {
            float[] alone = reference.document(text(i));
            assertThat(Vectors.maxAbsDiff(out.get(i).vector(), alone)).as("text %d", i).isLessThan(1e-5);
        }
    }

    @Test
    void theTaskThreadFillsTheNextWindowWhileTheModelRunsAndResultsLeaveInOrder() throws Exception {
        gate = new CountDownLatch(1);
        try (var h = harness(4, 60_000)) {
            for (int i = 0; i < 7; i++) {
                h.processElement(request(i), i); // the 4th closes a window the model cannot finish yet
            }
            awaitRuns(1);
            assertThat(RUN_SIZES).as("the first window is at the model").containsExactly(4);
            assertThat(h.extractOutputValues()).isEmpty();

            gate.countDown();
            runMailUntil(h, () -> h.extractOutputValues().size() == 4);
            assertEmbeddedInOrder(h.extractOutputValues(), 4);
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                    .containsExactly(0L, 1L, 2L, 3L);

            h.getOneInputOperator().prepareSnapshotPreBarrier(1);
            assertEmbeddedInOrder(h.extractOutputValues(), 7);
            assertThat(RUN_SIZES).containsExactly(4, 3);
            runAllMail(h); // the letter of the window the barrier already emitted must not emit it again
            assertEmbeddedInOrder(h.extractOutputValues(), 7);
            EmbeddingMetrics metrics = ((EmbeddingOperator) h.getOneInputOperator()).metrics();
            assertThat(metrics.batches()).as("told on the task thread when each window left").isEqualTo(2);
            assertThat(metrics.recordsOut()).isEqualTo(7);
        }
    }

    @Test
    void aWindowWhoseWaitEndsWhileTheModelIsBusyGoesOnFillingAndLeavesWhenTheModelIsFree() throws Exception {
        gate = new CountDownLatch(1);
        try (var h = harness(4, 50)) {
            h.setProcessingTime(0);
            for (int i = 0; i < 5; i++) {
                h.processElement(request(i), i);
            }
            h.setProcessingTime(50); // the 5th record's wait is over, but the model is busy
            h.processElement(request(5), 5);
            awaitRuns(1);
            assertThat(RUN_SIZES).containsExactly(4);

            gate.countDown();
            runMailUntil(h, () -> h.extractOutputValues().size() == 6);
            assertEmbeddedInOrder(h.extractOutputValues(), 6);
            assertThat(RUN_SIZES).as("the second window took both records").containsExactly(4, 2);
        }
    }

    @Test
    void withNoWaitARecordThatArrivesWhileTheModelIsBusyLeavesOnAQuietStream() throws Exception {
        gate = new CountDownLatch(1);
        try (var h = harness(100, 0)) {
            h.processElement(request(0), 0); // leaves at once
            awaitRuns(1);
            h.processElement(request(1), 1); // due, but the model is busy; then nothing more arrives
            gate.countDown();
            runMailUntil(h, () -> h.extractOutputValues().size() == 2);
            assertEmbeddedInOrder(h.extractOutputValues(), 2);
            assertThat(RUN_SIZES).containsExactly(1, 1);
        }
    }

    @Test
    void aLoneRecordLeavesAfterMaxWaitWithoutAnotherRecord() throws Exception {
        try (var h = harness(100, 50)) {
            h.setProcessingTime(1_000);
            h.processElement(request(0), 0);
            h.setProcessingTime(1_050);
            runMailUntil(h, () -> !h.extractOutputValues().isEmpty());
            assertEmbeddedInOrder(h.extractOutputValues(), 1);
        }
    }

    @Test
    void theFirstLetterAfterARunEmitsItsWindow() throws Exception {
        // the letter used to be posted before the window's future was done; run at once (as an
        // idle task thread does) it found nothing to emit, and a quiet stream never went on
        try (var h = harness(1, 60_000)) {
            for (int i = 0; i < 20; i++) {
                h.processElement(request(i), i);
                nextLetter(h).run(); // at once, as an idle task thread does
                assertThat(h.extractOutputValues()).as("after the letter of window %d", i).hasSize(i + 1);
            }
            assertEmbeddedInOrder(h.extractOutputValues(), 20);
        }
    }

    @Test
    void aFaultInTheWindowInFlightFailsTheTaskWhenItsLetterRuns() throws Exception {
        mode = "broken";
        try (var h = harness(1, 60_000)) {
            h.processElement(request(0), 0);
            Mail letter = nextLetter(h);
            assertThatThrownBy(letter::run).isInstanceOf(InferenceException.class);
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aWatermarkWaitsForTheWindowInFlightAndTheFillingOne() throws Exception {
        try (var h = harness(2, 60_000)) {
            for (int i = 0; i < 3; i++) {
                h.processElement(request(i), i);
            }
            h.processWatermark(new Watermark(10));
            List<Object> out = new ArrayList<>(h.getOutput());
            assertThat(out).hasSize(4);
            assertThat(out.get(3)).isEqualTo(new Watermark(10));
            assertEmbeddedInOrder(h.extractOutputValues(), 3);
        }
    }

    @Test
    void aFaultInTheWindowInFlightFailsTheTaskAtTheNextFlushPoint() throws Exception {
        mode = "broken";
        try (var h = harness(2, 60_000)) {
            h.processElement(request(0), 0);
            h.processElement(request(1), 1); // closes the window; the task thread goes on
            assertThatThrownBy(() -> h.getOneInputOperator().prepareSnapshotPreBarrier(1))
                    .isInstanceOf(InferenceException.class)
                    .hasMessageContaining("and so did the probe text");
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(EmbeddingOperator.DEAD_LETTERS)).isNullOrEmpty();
        }
    }

    @Test
    void closingWhileAWindowIsInFlightWaitsForItsRunBeforeTheModelCloses() throws Exception {
        mode = "slow";
        var h = harness(1, 60_000);
        h.processElement(request(0), 0);
        awaitRuns(1);
        assertThat(RUN_SIZES).as("the run started").isNotEmpty();
        h.close(); // a cancelled task: closing the session under the run would crash the JVM
        assertThat(slowRunEnded).isTrue();
    }

    /**
     * Records (one in ten with a role the model does not know), processing time, the task's
     * letters, barriers and watermarks in a random order from a fixed seed, against model runs of
     * random length on the window thread: whatever the interleaving, after every barrier and
     * watermark each record so far has left exactly once (a result or a dead letter), the results
     * in arrival order with the library's vectors, and a watermark after the records before it.
     */
    @Test
    void anyInterleavingDeliversEveryRecordOnceAndInOrderByEachBarrierAndWatermark() throws Exception {
        mode = "jitter";
        String[] texts = {"short", "x y z", "plain record number q", "a somewhat longer plain text about the"
                + " weather we had today", "one more text with quite a few words in it, more than most of the others"};
        Map<String, float[]> vectors = new HashMap<>();
        for (long seed = 1; seed <= 12; seed++) {
            Random random = new Random(seed);
            int windowSize = 1 + random.nextInt(6);
            long maxWait = new long[] {0, 20, 50}[random.nextInt(3)];
            List<String> accepted = new ArrayList<>();
            List<String> rejected = new ArrayList<>();
            Map<String, String> textOf = new HashMap<>();
            long time = 0;
            try (var h = harness(windowSize, maxWait)) {
                h.setProcessingTime(time);
                for (int step = 0; step < 80; step++) {
                    int action = random.nextInt(100);
                    String at = "seed " + seed + " (window " + windowSize + ", wait " + maxWait + "), step " + step;
                    if (action < 55) {
                        String id = seed + "-" + step;
                        String text = texts[random.nextInt(texts.length)];
                        boolean unknownRole = random.nextInt(10) == 0;
                        textOf.put(id, text);
                        (unknownRole ? rejected : accepted).add(id);
                        h.processElement(new EmbedRequest(id, text, unknownRole ? "no-such-role" : "document", null),
                                step);
                    } else if (action < 70) {
                        time += random.nextInt(60);
                        h.setProcessingTime(time);
                    } else if (action < 85) {
                        if (random.nextBoolean()) {
                            runAllMail(h);
                        } else {
                            h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY).ifPresent(mail -> {
                                try {
                                    mail.run();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
                        }
                    } else if (action < 95) {
                        h.getOneInputOperator().prepareSnapshotPreBarrier(step);
                        assertEveryRecordLeftOnce(h, accepted, rejected, textOf, vectors, at + ", a barrier");
                    } else {
                        h.processWatermark(new Watermark(step));
                        assertEveryRecordLeftOnce(h, accepted, rejected, textOf, vectors, at + ", a watermark");
                        assertThat(new ArrayList<>(h.getOutput())).as(at).last().isEqualTo(new Watermark(step));
                    }
                }
                h.getOneInputOperator().prepareSnapshotPreBarrier(1_000);
                assertEveryRecordLeftOnce(h, accepted, rejected, textOf, vectors, "seed " + seed + ", the end");
            }
        }
    }

    private static void assertEveryRecordLeftOnce(OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> h,
            List<String> accepted, List<String> rejected, Map<String, String> textOf, Map<String, float[]> vectors,
            String at) {
        List<EmbedResult> out = h.extractOutputValues();
        assertThat(out).extracting(EmbedResult::id).as(at).containsExactlyElementsOf(accepted);
        var dead = h.getSideOutput(EmbeddingOperator.DEAD_LETTERS);
        List<String> deadIds = dead == null ? List.of() : dead.stream().map(r -> r.getValue().id()).toList();
        assertThat(deadIds).as(at).containsExactlyInAnyOrderElementsOf(rejected);
        for (EmbedResult result : out) {
            float[] alone = vectors.computeIfAbsent(textOf.get(result.id()), reference::document);
            assertThat(Vectors.maxAbsDiff(result.vector(), alone)).as(at + ", " + result.id()).isLessThan(1e-5);
        }
    }
}
