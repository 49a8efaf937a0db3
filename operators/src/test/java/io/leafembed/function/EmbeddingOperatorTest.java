package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import io.leafembed.testutils.ReferenceModel;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The batching operator in Flink's operator test harness, on the real all-MiniLM-L6-v2. The
 * window-closing tests embed on the task thread (not pipelined), so that a window's results are
 * out when the record that closes it has been processed; the flush-point tests (barrier,
 * watermark, end of input) run pipelined, as the job does. {@link PipelinedWindowsTest} covers
 * what pipelining adds.
 */
class EmbeddingOperatorTest {

    @RegisterExtension
    static final ReferenceModel reference = new ReferenceModel();

    /** Windows embedded on the task thread: results are out once the closing record is processed. */
    private static OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> harness(
            int windowSize, long maxWaitMillis, int cacheSize) throws Exception {
        return harness(new BatchingOptions(windowSize, maxWaitMillis).withPipelining(false), cacheSize);
    }

    /** Pipelined windows, as the job runs them. */
    private static OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> pipelinedHarness(
            int windowSize, long maxWaitMillis) throws Exception {
        return harness(new BatchingOptions(windowSize, maxWaitMillis), 0);
    }

    private static OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> harness(
            BatchingOptions batching, int cacheSize) throws Exception {
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(), batching, cacheSize);
        OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> harness =
                new OneInputStreamOperatorTestHarness<>(operator);
        harness.open();
        return harness;
    }

    private static EmbeddingMetrics metrics(OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult> h) {
        return ((EmbeddingOperator) h.getOneInputOperator()).metrics();
    }

    private static EmbedRequest request(int id, String text) {
        return new EmbedRequest(String.valueOf(id), text, "document", null);
    }

    /** Mixed-length English-like texts: 3 to ~120 tokens. */
    private static List<String> burst(int n) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add("Record " + i + ": " + "the quick brown fox jumps over the lazy dog ".repeat(1 + (i * 7) % 13));
        }
        return texts;
    }

    @Test
    void latencyBudgetClosesTheWindowBeforeItIsFull() throws Exception {
        // 1 s budget at the assumed 5 ms per record (nothing measured yet): the first window closes
        // at <= 200 records, long before its count (1,000) or its wait (60 s)
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(),
                new BatchingOptions(1000, 60_000, 1000).withPipelining(false), 0);
        try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator)) {
            h.open();
            List<String> texts = burst(201);
            for (int i = 0; i < 5; i++) {
                h.processElement(request(i, texts.get(i)), i);
            }
            assertThat(h.extractOutputValues()).as("5 records x 5 ms are well inside 1 s").isEmpty();
            int sent = 5;
            while (h.extractOutputValues().isEmpty() && sent < texts.size()) {
                h.processElement(request(sent, texts.get(sent)), sent);
                sent++;
            }
            assertThat(sent).isLessThanOrEqualTo(200);
            assertThat(h.extractOutputValues()).extracting(EmbedResult::id).hasSize(sent)
                    .startsWith("0", "1", "2");
            EmbeddingMetrics metrics = metrics(h);
            assertThat(metrics.computedTokens()).isGreaterThanOrEqualTo(metrics.tokens()).isPositive();
            assertThat(metrics.paddingRatio()).isEqualTo((double) metrics.computedTokens() / metrics.tokens());
        }
    }

    @Test
    void fullWindowIsEmbeddedAndEmittedInArrivalOrder() throws Exception {
        try (var h = harness(8, 60_000, 0)) {
            List<String> texts = burst(8);
            for (int i = 0; i < 7; i++) {
                h.processElement(request(i, texts.get(i)), i);
            }
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(request(7, texts.get(7)), 7);
            List<EmbedResult> out = h.extractOutputValues();
            assertThat(out).extracting(EmbedResult::id).containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
            for (int i = 0; i < 8; i++) {
                float[] alone = reference.document(texts.get(i));
                assertThat(Vectors.maxAbsDiff(out.get(i).vector(), alone)).as("text %d", i).isLessThan(1e-5);
            }
        }
    }

    @Test
    void objectReuseUpstreamThatHandsOverOneStreamRecordStillGetsEveryResult() throws Exception {
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(), new BatchingOptions(5, 60_000).withPipelining(false), 0);
        try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator)) {
            h.getExecutionConfig().enableObjectReuse();
            h.open();
            // a chained upstream under object reuse: one StreamRecord, replaced for every record
            StreamRecord<EmbedRequest> reused = new StreamRecord<>(null);
            List<String> texts = burst(4);
            for (int i = 0; i < 4; i++) {
                h.processElement(reused.replace(request(i, texts.get(i)), 10 + i));
            }
            h.processElement(reused.replace(request(4, ""), 14)); // a dead letter
            h.processElement(reused.replace(request(5, "the last one"), 15));
            List<EmbedResult> out = h.extractOutputValues();
            assertThat(out).extracting(EmbedResult::id).containsExactly("0", "1", "2", "3", "5");
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                    .containsExactly(10L, 11L, 12L, 13L, 15L);
            for (int i = 0; i < 4; i++) {
                float[] alone = reference.document(texts.get(i));
                assertThat(Vectors.maxAbsDiff(out.get(i).vector(), alone)).as("text %d", i).isLessThan(1e-5);
            }
            assertThat(h.getSideOutput(EmbeddingOperator.DEAD_LETTERS)).extracting(r -> r.getValue().id())
                    .containsExactly("4");
        }
    }

    @Test
    void recordsWithoutATimestampLeaveWithoutOne() throws Exception {
        try (var h = pipelinedHarness(100, 60_000)) {
            h.processElement(new StreamRecord<>(request(1, "no time")));
            h.processElement(new StreamRecord<>(request(2, "")));
            h.getOneInputOperator().finish();
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::hasTimestamp).containsExactly(false);
            assertThat(h.getSideOutput(EmbeddingOperator.DEAD_LETTERS)).extracting(StreamRecord::hasTimestamp)
                    .containsExactly(false);
        }
    }

    @Test
    void calibrationGetsTheVectorsItsSampleNeedsAndNothingOnceItIsComplete() throws Exception {
        List<String> texts = burst(30);
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        // subtask 0 of 2, sample of 10: its share is 5, then one in every 2 until it has sent 10
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(), new BatchingOptions(1, 0).withPipelining(false), 0)
                .sampleForCalibration(10);
        try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator, 2, 2, 0)) {
            h.open();
            for (int i = 0; i < 30; i++) {
                h.processElement(request(i, texts.get(i)), i);
            }
            List<EmbedResult> out = h.extractOutputValues();
            assertThat(out).hasSize(30);
            List<Long> sampled = h.getSideOutput(EmbeddingOperator.CALIBRATION_SAMPLE).stream()
                    .map(StreamRecord::getTimestamp).toList();
            assertThat(sampled).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 7L, 9L, 11L, 13L);
            float[] first = h.getSideOutput(EmbeddingOperator.CALIBRATION_SAMPLE).peek().getValue();
            assertThat(first).isEqualTo(out.get(0).vector());
            snapshot = h.snapshot(1, 30);
        }
        // restored (here at parallelism 1): the job sent a full sample, so nothing more is sent
        EmbeddingOperator restoredOperator = new EmbeddingOperator(TestModels.minilm().build(),
                new BatchingOptions(1, 0).withPipelining(false), 0).sampleForCalibration(10);
        try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(restoredOperator, 2, 1, 0)) {
            h.initializeState(snapshot);
            h.open();
            for (int i = 0; i < 5; i++) {
                h.processElement(request(i, texts.get(i)), i);
            }
            assertThat(h.extractOutputValues()).hasSize(5);
            assertThat(h.getSideOutput(EmbeddingOperator.CALIBRATION_SAMPLE)).isNullOrEmpty();
        }
    }

    @Test
    void aLoneRecordLeavesAfterMaxWait() throws Exception {
        try (var h = harness(100, 50, 0)) {
            h.setProcessingTime(1_000);
            h.processElement(request(1, "lonely text"), 1);
            h.setProcessingTime(1_049);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(1_050);
            assertThat(h.extractOutputValues()).extracting(EmbedResult::id).containsExactly("1");
        }
    }

    @Test
    void checkpointBarrierFlushesTheWindowSoNothingIsBufferedInState() throws Exception {
        try (var h = pipelinedHarness(100, 60_000)) {
            h.processElement(request(1, "first"), 1);
            h.processElement(request(2, "second"), 2);
            assertThat(h.extractOutputValues()).isEmpty();
            // the task calls this right before it sends the barrier downstream
            h.getOneInputOperator().prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues()).extracting(EmbedResult::id).containsExactly("1", "2");
        }
    }

    @Test
    void aWatermarkFlushesTheRecordsItFollows() throws Exception {
        try (var h = pipelinedHarness(100, 60_000)) {
            h.processElement(request(1, "before the watermark"), 1);
            h.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(5));
            List<Object> out = new ArrayList<>(h.getOutput());
            assertThat(out).hasSize(2);
            assertThat(((StreamRecord<?>) out.get(0)).getValue()).isInstanceOf(EmbedResult.class);
            assertThat(out.get(1)).isEqualTo(new org.apache.flink.streaming.api.watermark.Watermark(5));
        }
    }

    @Test
    void aModelThatCannotLoadFailsWithoutRestarts() {
        EmbeddingOperator operator = new EmbeddingOperator(io.leafembed.embed.EmbedderOptions.builder()
                .modelDir(java.nio.file.Path.of("/no/such/model")).build(), BatchingOptions.defaults(), 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator)) {
                h.open();
            }
        }).isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
                .rootCause().hasMessageContaining("/no/such/model does not exist");
    }

    @Test
    void endOfInputFlushes() throws Exception {
        try (var h = pipelinedHarness(100, 60_000)) {
            h.processElement(request(1, "last words"), 1);
            h.getOneInputOperator().finish();
            assertThat(h.extractOutputValues()).extracting(EmbedResult::id).containsExactly("1");
        }
    }

    @Test
    void refusedRecordsGoToDeadLettersWithTheirReason() throws Exception {
        try (var h = pipelinedHarness(4, 60_000)) {
            h.processElement(request(1, ""), 1);
            h.processElement(new EmbedRequest("2", "hello", "passage", "{\"id\":\"2\",\"text\":\"hello\"}"), 2);
            h.processElement(new EmbedRequest("3", null, null, "{\"id\":\"3\"}"), 3);
            h.processElement(request(4, "fine"), 4);
            h.getOneInputOperator().finish();
            List<DeadLetter> dead = h.getSideOutput(EmbeddingOperator.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(dead).extracting(DeadLetter::id).containsExactly("1", "2", "3");
            assertThat(dead).extracting(DeadLetter::reason).containsExactly(
                    "empty text", "unknown role 'passage': this model knows [document, query]", "missing text");
            assertThat(new String(dead.get(1).original(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("{\"id\":\"2\",\"text\":\"hello\"}");
            assertThat(h.extractOutputValues()).extracting(EmbedResult::id).containsExactly("4");
            assertThat(metrics(h).deadLetters()).isEqualTo(3);
        }
    }

    @Test
    void burstsAreBatchedWithLittlePadding() throws Exception {
        try (var h = harness(256, 60_000, 0)) {
            List<String> texts = burst(256);
            for (int i = 0; i < texts.size(); i++) {
                h.processElement(request(i, texts.get(i)), i);
            }
            EmbeddingMetrics m = metrics(h);
            System.out.printf("burst of 256: %d batches, mean batch size %.1f, padding ratio %.3f%n",
                    m.batches(), m.meanBatchSize(), m.paddingRatio());
            assertThat(h.extractOutputValues()).hasSize(256);
            assertThat(m.meanBatchSize()).isGreaterThan(1.0);
            assertThat(m.paddingRatio()).isLessThanOrEqualTo(1.15);
        }
    }

    @Test
    void repeatedTextsComeFromTheCache() throws Exception {
        try (var h = harness(2, 60_000, 100)) {
            h.processElement(request(1, "same text"), 1);
            h.processElement(request(2, "other text"), 2);
            h.processElement(request(3, "same text"), 3);
            h.processElement(request(4, "other text"), 4);
            List<EmbedResult> out = h.extractOutputValues();
            assertThat(out).hasSize(4);
            assertThat(out.get(2).vector()).isEqualTo(out.get(0).vector());
            assertThat(metrics(h).batches()).isEqualTo(1);
        }
    }

    @Test
    void eachRoleEmbedsWithItsOwnModel() throws Exception {
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(),
                java.util.Map.of("query", TestModels.minilmInt8().build()), new BatchingOptions(6, 60_000).withPipelining(false), 0);
        List<String> texts = burst(6);
        try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator)) {
            h.open();
            for (int i = 0; i < 6; i++) {
                h.processElement(new EmbedRequest(String.valueOf(i), texts.get(i), i % 2 == 0 ? "query" : "document",
                        null), i);
            }
            List<EmbedResult> out = h.extractOutputValues();
            assertThat(out).extracting(EmbedResult::id).containsExactly("0", "1", "2", "3", "4", "5");
            List<TextInput> queries = List.of(TextInput.query(texts.get(0)), TextInput.query(texts.get(2)),
                    TextInput.query(texts.get(4)));
            try (Embedder int8 = Embedder.open(TestModels.minilmInt8().build())) {
                List<io.leafembed.embed.Embedding> expected = int8.embed(queries);
                for (int k = 0; k < 3; k++) {
                    EmbedResult q = out.get(2 * k);
                    assertThat(q.modelId()).isEqualTo("all-minilm-l6-v2-q");
                    assertThat(Vectors.maxAbsDiff(q.vector(), expected.get(k).vector())).isLessThan(1e-6);
                }
            }
            for (int k = 0; k < 3; k++) {
                EmbedResult d = out.get(2 * k + 1);
                assertThat(d.modelId()).isEqualTo("all-minilm-l6-v2");
                float[] alone = reference.document(texts.get(2 * k + 1));
                assertThat(Vectors.maxAbsDiff(d.vector(), alone)).isLessThan(1e-5);
            }
        }
    }

    @Test
    void roleModelsMustGiveTheSameDims() {
        EmbeddingOperator operator = new EmbeddingOperator(TestModels.minilm().build(),
                java.util.Map.of("query", io.leafembed.embed.EmbedderOptions.builder()
                        .modelDir(io.leafembed.testutils.LeafShapedModel.directory()).build()),
                BatchingOptions.defaults(), 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            try (var h = new OneInputStreamOperatorTestHarness<EmbedRequest, EmbedResult>(operator)) {
                h.open();
            }
        }).hasRootCauseMessage("cannot load model 'leaf-shaped': the model of role 'query' gives 1024 dims"
                + " but the main model 'all-minilm-l6-v2' gives 384: models of an asymmetric pair must be aligned,"
                + " with the same dims (set embedding.truncate-dim to a common size if both are Matryoshka models)");
    }
}
