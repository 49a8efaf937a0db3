package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.FaultInjection;
import io.leafembed.inference.InferenceException;
import io.leafembed.testutils.ReferenceModel;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One model per TaskManager: operators with equal options (each its own copy, as every parallel
 * instance deserializes its own) share one Embedder, embed on it at the same time with the
 * library's vectors, and the last to close closes it; a model that failed for a reason not in the
 * texts is not handed to instances that open after it.
 */
class SharedEmbeddersTest {

    private static final AtomicInteger OPENED = new AtomicInteger();
    private static volatile boolean broken;
    @RegisterExtension
    static final ReferenceModel reference = new ReferenceModel();

    @BeforeEach
    void reset() {
        OPENED.set(0);
        broken = false;
    }

    private static Embedder countingOpen(io.leafembed.embed.EmbedderOptions options) {
        OPENED.incrementAndGet();
        return FaultInjection.failingModel(options, batch -> {
            if (broken) {
                throw new InferenceException("minilm", "simulated: the session is broken", null);
            }
        });
    }

    private static OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> sharedHarness() throws Exception {
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(), Map.of(),
                new BatchingOptions(8, 60_000), 0, SharedEmbeddersTest::countingOpen).shareModelsPerTaskManager();
        var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator);
        h.open();
        return h;
    }

    private static Embedder modelOf(OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> h) {
        return ((EmbeddingOperator) h.getOneInputOperator()).model();
    }

    private static String text(int i) {
        return "record " + i + " of a stream shared by " + "two slots".repeat(1 + i % 5);
    }

    @Test
    void instancesWithEqualOptionsEmbedTogetherOnOneModelThatTheLastOneCloses() throws Exception {
        var a = sharedHarness();
        var b = sharedHarness();
        Embedder shared = modelOf(a);
        assertThat(modelOf(b)).isSameAs(shared);
        assertThat(OPENED).hasValue(1);
        assertThat(SharedEmbedders.holders(shared)).isEqualTo(2);

        // both window threads run on the one session at once
        for (int i = 0; i < 64; i++) {
            a.processElement(new EmbedRequest("a" + i, text(i), "document", null), i);
            b.processElement(new EmbedRequest("b" + i, text(i + 1), "document", null), i);
        }
        a.getOneInputOperator().prepareSnapshotPreBarrier(1);
        b.getOneInputOperator().prepareSnapshotPreBarrier(1);
        List<EmbedResult> outA = a.extractOutputValues();
        List<EmbedResult> outB = b.extractOutputValues();
        assertThat(outA).hasSize(64);
        assertThat(outB).hasSize(64);
        for (int i = 0; i < 64; i++) {
            assertThat(Vectors.maxAbsDiff(outA.get(i).vector(), reference.document(text(i))))
                    .as("a%d", i).isLessThan(1e-5);
            assertThat(Vectors.maxAbsDiff(outB.get(i).vector(),
                    reference.document(text(i + 1)))).as("b%d", i).isLessThan(1e-5);
        }

        a.close();
        assertThat(SharedEmbedders.holders(shared)).as("b still holds it").isEqualTo(1);
        b.processElement(new EmbedRequest("late", text(3), "document", null), 100);
        b.getOneInputOperator().prepareSnapshotPreBarrier(2);
        assertThat(b.extractOutputValues()).hasSize(65);
        b.close();
        assertThat(SharedEmbedders.holders(shared)).isZero();

        try (var c = sharedHarness()) {
            assertThat(modelOf(c)).as("a fresh model after the last one closed").isNotSameAs(shared);
            assertThat(OPENED).hasValue(2);
        }
    }

    @Test
    void aModelThatFailedIsNotHandedToInstancesThatOpenAfterIt() throws Exception {
        var a = sharedHarness();
        var b = sharedHarness();
        Embedder failed = modelOf(a);
        broken = true;
        for (int i = 0; i < 8; i++) {
            a.processElement(new EmbedRequest("a" + i, text(i), "document", null), i);
        }
        assertThatThrownBy(() -> a.getOneInputOperator().prepareSnapshotPreBarrier(1))
                .isInstanceOf(InferenceException.class);
        a.close(); // as Flink closes a failed task
        broken = false;

        try (var restarted = sharedHarness()) {
            assertThat(modelOf(restarted)).as("the restarted instance opens a fresh model").isNotSameAs(failed);
            assertThat(OPENED).hasValue(2);
            assertThat(SharedEmbedders.holders(failed)).as("b still holds the old one").isEqualTo(1);
        }
        b.close();
        assertThat(SharedEmbedders.holders(failed)).isZero();
    }

    @Test
    void withoutSharingEveryInstanceOpensItsOwnModel() throws Exception {
        EmbeddingOperator one = new EmbeddingOperator(TestModels.minilm().build(), Map.of(),
                new BatchingOptions(8, 60_000), 0, SharedEmbeddersTest::countingOpen);
        EmbeddingOperator two = new EmbeddingOperator(TestModels.minilm().build(), Map.of(),
                new BatchingOptions(8, 60_000), 0, SharedEmbeddersTest::countingOpen);
        try (var a = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(one);
                var b = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(two)) {
            a.open();
            b.open();
            assertThat(modelOf(a)).isNotSameAs(modelOf(b));
            assertThat(SharedEmbedders.holders(modelOf(a))).isZero();
            assertThat(OPENED).hasValue(2);
        }
    }
}
