package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.FaultInjection;
import io.leafembed.embed.TextInput;
import io.leafembed.inference.InferenceException;
import io.leafembed.testutils.TestModels;
import io.leafembed.tokenize.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One poisonous text among many: the operator isolates it in the batch that failed, whatever the
 * model throws, and restarts (throws) when the fault hits every text. The model is the real
 * all-MiniLM-L6-v2 behind a seam that fails on chosen batches and logs every model run.
 */
class PoisonTextTest {

    /** The token id of the marker word "poison"; a batch holding it fails. */
    private static long marker;

    /** What each model run got (one token-id list per text) and whether it succeeded. */
    private static final List<Run> RUNS = Collections.synchronizedList(new ArrayList<>());

    /** How the model fails: on the marker, on every batch, or with an Error on the marker. */
    private static volatile String mode;

    private record Run(List<String> texts, boolean failed) {}

    @BeforeAll
    static void findMarker() {
        try (Embedder e = Embedder.open(TestModels.minilm().build())) {
            long[] ids = e.tokenize(TextInput.document("poison")).ids();
            assertThat(ids).as("[CLS] poison [SEP]").hasSize(3);
            marker = ids[1];
        }
    }

    @BeforeEach
    void reset() {
        RUNS.clear();
    }

    private static void maybeFail(TokenBatch batch) {
        List<String> texts = new ArrayList<>();
        boolean poisoned = false;
        for (int b = 0; b < batch.size(); b++) {
            long[] ids = batch.text(b).ids();
            texts.add(Arrays.toString(ids));
            poisoned |= Arrays.stream(ids).anyMatch(id -> id == marker);
        }
        boolean fails = mode.equals("everything") || poisoned;
        RUNS.add(new Run(texts, fails));
        if (fails && mode.equals("error")) {
            throw new OutOfMemoryError("simulated: the JVM is out of memory");
        }
        if (fails && mode.equals("everything")) {
            throw new InferenceException("minilm", "simulated: the session is broken", null);
        }
        if (fails) {
            // not an InferenceException: pooling or post-processing can throw anything
            throw new IllegalStateException("simulated: pooling fails on this text");
        }
    }

    private static OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> harness(String failureMode,
            int windowSize, int maxBatchSize) throws Exception {
        mode = failureMode;
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().maxBatchSize(maxBatchSize).build(),
                Map.of(), new BatchingOptions(windowSize, 60_000).withPipelining(false), 0,
                options -> FaultInjection.failingModel(options, PoisonTextTest::maybeFail));
        var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator);
        h.open();
        return h;
    }

    /** Texts of equal token length: the planner keeps them in arrival order, 4 per batch. */
    private static String text(int i) {
        return i == 5 ? "poison in record five" : "plain record number " + (char) ('a' + i);
    }

    @Test
    void thePoisonousTextIsADeadLetterAndTheOthersAreEmbeddedOnce() throws Exception {
        try (var h = harness("marker", 8, 4)) {
            for (int i = 0; i < 8; i++) {
                h.processElement(new EmbedRequest(String.valueOf(i), text(i), "document", null), i);
            }
            assertThat(h.extractOutputValues()).extracting(EmbedResult::id)
                    .containsExactly("0", "1", "2", "3", "4", "6", "7");
            List<DeadLetter> dead = h.getSideOutput(EmbeddingOperator.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).toList();
            assertThat(dead).extracting(DeadLetter::id).containsExactly("5");
            assertThat(dead.get(0).reason()).isEqualTo("embedding failed for this text alone:"
                    + " java.lang.IllegalStateException: simulated: pooling fails on this text");

            // every other text ran in exactly one successful model run; the batch without the
            // marker ran once, and only the failed batch's texts were retried one by one
            Map<String, Integer> okRuns = new HashMap<>();
            for (Run run : RUNS) {
                if (!run.failed()) {
                    run.texts().forEach(t -> okRuns.merge(t, 1, Integer::sum));
                }
            }
            try (Embedder plain = Embedder.open(TestModels.minilm().build())) {
                for (int i = 0; i < 8; i++) {
                    String ids = Arrays.toString(plain.tokenize(TextInput.document(text(i))).ids());
                    assertThat(okRuns.get(ids)).as("successful runs of text %d", i).isEqualTo(i == 5 ? null : 1);
                }
            }
            assertThat(RUNS).extracting(run -> run.texts().size() + (run.failed() ? " failed" : " ok"))
                    .containsExactly("4 ok", "4 failed", "1 ok", "1 failed", "1 ok", "1 ok", "1 ok" /* probe */);
            assertThat(((EmbeddingOperator) h.getOneInputOperator()).metrics().deadLetters()).isEqualTo(1);
        }
    }

    /** Sizes of the tokenizer calls in the tokenizer test. */
    private static final List<Integer> TOKENIZE_CALLS = Collections.synchronizedList(new ArrayList<>());

    private static void tokenizerFails(List<String> texts) {
        TOKENIZE_CALLS.add(texts.size());
        if (texts.stream().anyMatch(t -> t.contains("poison"))) {
            throw new IllegalArgumentException("simulated: the tokenizer cannot handle this text");
        }
    }

    @Test
    void aTextTheTokenizerFailsOnIsADeadLetterAndTheOthersAreTokenizedAgainOneByOne() throws Exception {
        TOKENIZE_CALLS.clear();
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().maxBatchSize(4).build(), Map.of(),
                new BatchingOptions(8, 60_000).withPipelining(false), 0,
                options -> FaultInjection.failingTokenizer(options, PoisonTextTest::tokenizerFails));
        try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator)) {
            h.open();
            for (int i = 0; i < 8; i++) {
                h.processElement(new EmbedRequest(String.valueOf(i), text(i), "document", null), i);
            }
            assertThat(h.extractOutputValues()).extracting(EmbedResult::id)
                    .containsExactly("0", "1", "2", "3", "4", "6", "7");
            assertThat(h.getSideOutput(EmbeddingOperator.DEAD_LETTERS)).extracting(r -> r.getValue().reason())
                    .containsExactly("embedding failed for this text alone: java.lang.IllegalArgumentException:"
                            + " simulated: the tokenizer cannot handle this text");
            // the window in one call, then each text alone, then the probe
            assertThat(TOKENIZE_CALLS).containsExactly(8, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            // the 7 good texts ran once, in 2 model batches
            EmbeddingMetrics metrics = ((EmbeddingOperator) h.getOneInputOperator()).metrics();
            assertThat(metrics.batches()).isEqualTo(2);
            assertThat(metrics.recordsOut()).isEqualTo(7);
        }
    }

    @Test
    void aFaultThatHitsEveryTextRestartsTheJobInsteadOfDeadLetteringTheWindow() throws Exception {
        try (var h = harness("everything", 3, 4)) {
            h.processElement(new EmbedRequest("1", text(1), "document", null), 1);
            h.processElement(new EmbedRequest("2", text(2), "document", null), 2);
            assertThatThrownBy(() -> h.processElement(new EmbedRequest("3", text(3), "document", null), 3))
                    .isInstanceOf(InferenceException.class)
                    .hasMessageContaining("and so did the probe text")
                    .rootCause().hasMessageEndingWith("simulated: the session is broken");
            assertThat(h.getSideOutput(EmbeddingOperator.DEAD_LETTERS)).isNullOrEmpty();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aWindowOfOneTextUnderAFaultThatHitsEveryTextRestartsTheJob() throws Exception {
        try (var h = harness("everything", 1, 4)) {
            assertThatThrownBy(() -> h.processElement(new EmbedRequest("1", text(1), "document", null), 1))
                    .isInstanceOf(InferenceException.class)
                    .hasMessageContaining("the fault is not in the input");
            assertThat(h.getSideOutput(EmbeddingOperator.DEAD_LETTERS)).isNullOrEmpty();
        }
    }

    @Test
    void errorsSuchAsOutOfMemoryAreNeverSwallowed() throws Exception {
        try (var h = harness("error", 1, 4)) {
            assertThatThrownBy(() -> h.processElement(new EmbedRequest("5", text(5), "document", null), 5))
                    .isInstanceOf(OutOfMemoryError.class);
            assertThat(h.getSideOutput(EmbeddingOperator.DEAD_LETTERS)).isNullOrEmpty();
        }
    }
}
