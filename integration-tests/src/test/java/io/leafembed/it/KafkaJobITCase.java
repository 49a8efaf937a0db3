package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.job.KafkaRun;
import io.leafembed.job.config.JobConfig;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/**
 * The Kafka job end to end: a real broker in this JVM (KRaft), the job on a MiniCluster with two
 * slots, exactly-once sinks read back with read_committed.
 */
class KafkaJobITCase {

    private static final int RECORDS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Keeps the job's metrics after it ends, so tests can read the operator's batching metrics. */
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .setConfiguration(METRICS.addToConfiguration(new Configuration())).build());

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    private static String text(int i) {
        return "record " + i + " about kafka" + " and flink".repeat(i % 4);
    }

    private static List<Map.Entry<String, byte[]>> goodRecords(int n) {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String role = i % 4 == 0 ? "query" : "document";
            String value = "{\"id\": \"" + i + "\", \"text\": \"" + text(i) + "\", \"role\": \"" + role + "\", \"n\": " + i + "}";
            records.add(new AbstractMap.SimpleEntry<>("k" + i, value.getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private static JobConfig config(String in, String out, Map<String, String> extra) {
        return JobConfig.of(settings(in, out, extra));
    }

    private static Map<String, String> settings(String in, String out, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        settings.put("kafka.source.topics", in);
        settings.put("kafka.source.starting-offsets", "earliest");
        settings.put("kafka.source.bounded", "true");
        settings.put("kafka.source.group-id", "it-" + in);
        settings.put("kafka.sink.topic", out);
        settings.put("kafka.sink.transactional-id-prefix", "it-" + out);
        settings.put("runtime.checkpoint-interval-ms", "500");
        settings.put("runtime.parallelism", "2");
        settings.put("model.onnx-file", TestModels.minilmOnnx().toString());
        settings.put("model.tokenizer-file", TestModels.minilmTokenizer().toString());
        settings.put("model.max-length", "256");
        settings.put("batching.window-size", "128");
        settings.put("batching.max-wait-ms", "20");
        settings.put("input.max-text-bytes", String.valueOf(BadInputCorpus.MAX_TEXT_BYTES));
        settings.putAll(extra);
        return settings;
    }

    private static JobID runJob(JobConfig config, String restartStrategy, UnaryOperator<org.apache.flink.streaming.api.datastream.DataStream<io.leafembed.function.EmbedResult>> beforeSink) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, restartStrategy);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        env.configure(restarts);
        KafkaRun.wire(env, config, beforeSink);
        return env.execute("leaf-embed-it").getJobID();
    }

    /** Records the calibrator took in (the sum of its operator's numRecordsIn). */
    private static long calibratorInput(JobID job) {
        var groups = METRICS.findOperatorMetricGroups(job, "calibrate ranges");
        assertThat(groups).as("the calibrator's metrics").isNotEmpty();
        return groups.stream().mapToLong(g -> g.getIOMetricGroup().getNumRecordsInCounter().getCount()).sum();
    }

    /** How often the job restarted (Flink's numRestarts gauge of the job). */
    private static long restarts(JobID job) {
        return METRICS.getMetricsByIdentifiers(job).entrySet().stream()
                .filter(e -> e.getKey().endsWith(".numRestarts"))
                .mapToLong(e -> ((Number) ((Gauge<?>) e.getValue()).getValue()).longValue())
                .max()
                .orElseThrow(() -> new AssertionError("no numRestarts metric for job " + job));
    }

    /** The sum over all subtasks of the embedding operator's counter {@code name}. */
    private static long counter(JobID job, String name) {
        return METRICS.getMetricsByIdentifiers(job).entrySet().stream()
                .filter(e -> e.getKey().endsWith(".leafembed." + name))
                .mapToLong(e -> ((Counter) e.getValue()).getCount())
                .sum();
    }

    private static Map<String, JsonNode> byId(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode node = JSON.readTree(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(node.get("id").asText());
            assertThat(out.put(node.get("id").asText(), node)).as("duplicate %s", node.get("id")).isNull();
        }
        return out;
    }

    private static float[] vector(JsonNode record) {
        JsonNode v = record.get("embedding").get("vector");
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).floatValue();
        }
        return out;
    }

    @Test
    void tenThousandRecordsOverFourPartitionsArriveExactlyOnceAndEqualTheLibrarysVectors() throws Exception {
        kafka.createTopic("in-1", 4);
        kafka.createTopic("out-1", 4);
        kafka.createTopic("out-1-dead-letters", 1);
        kafka.produce("in-1", goodRecords(RECORDS));
        JobID job = runJob(config("in-1", "out-1", Map.of()), "none", UnaryOperator.identity());

        // the operator batched the stream: several texts per model run, little padding
        double meanBatch = (double) counter(job, "batchedTexts") / counter(job, "batches");
        double padding = (double) counter(job, "computedTokens") / counter(job, "tokens");
        System.out.printf("Kafka job: %d embedded in %d batches, mean batch size %.1f, padding ratio %.3f%n",
                counter(job, "recordsOut"), counter(job, "batches"), meanBatch, padding);
        // the counters of a restarted task start again from zero (a busy CI machine can time a
        // task out): the exact count holds only for a run without restarts; the output below is
        // checked exactly either way
        long restarts = restarts(job);
        if (restarts == 0) {
            assertThat(counter(job, "recordsOut")).isEqualTo(RECORDS);
        } else {
            System.out.printf("Kafka job restarted %d times: recordsOut counts the last attempt only%n", restarts);
            assertThat(counter(job, "recordsOut")).isBetween(1L, (long) RECORDS);
        }
        assertThat(meanBatch).isGreaterThan(1.0);
        assertThat(padding).isLessThanOrEqualTo(1.15);

        List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted("out-1");
        assertThat(out).hasSize(RECORDS);
        Map<String, JsonNode> results = byId(out);
        List<TextInput> inputs = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            assertThat(results).containsKey(String.valueOf(i));
            inputs.add(new TextInput(text(i), i % 4 == 0 ? "query" : "document"));
        }
        try (Embedder embedder = Embedder.open(TestModels.minilm().build())) {
            List<Embedding> expected = embedder.embed(inputs);
            for (int i = 0; i < RECORDS; i++) {
                JsonNode r = results.get(String.valueOf(i));
                assertThat(r.get("n").asInt()).isEqualTo(i); // pass-through field
                assertThat(Vectors.maxAbsDiff(vector(r), expected.get(i).vector())).as("record %d", i).isLessThan(1e-5);
                assertThat(r.get("embedding").get("tokens").asInt()).isEqualTo(expected.get(i).tokenCount());
            }
        }
        assertThat(kafka.readCommitted("out-1-dead-letters")).isEmpty();
    }

    /**
     * pipeline.object-reuse: true, the default chaining (source -> parse -> embed): the parser's
     * collector hands the embedding operator one StreamRecord object for every record.
     */
    @Test
    void objectReuseGivesEveryRecordOnceWithTheLibrarysVectors() throws Exception {
        int n = 1_000;
        kafka.createTopic("in-reuse", 2);
        kafka.createTopic("out-reuse", 2);
        kafka.createTopic("out-reuse-dead-letters", 1); // POOLING transactional ids need every sink topic
        kafka.produce("in-reuse", goodRecords(n));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.getConfig().enableObjectReuse();
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        KafkaRun.wire(env, config("in-reuse", "out-reuse", Map.of()), UnaryOperator.identity());
        env.execute("leaf-embed-it, object reuse");

        Map<String, JsonNode> results = byId(kafka.readCommitted("out-reuse"));
        assertThat(results).hasSize(n);
        List<TextInput> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs.add(new TextInput(text(i), i % 4 == 0 ? "query" : "document"));
        }
        try (Embedder embedder = Embedder.open(TestModels.minilm().build())) {
            List<Embedding> expected = embedder.embed(inputs);
            for (int i = 0; i < n; i++) {
                JsonNode r = results.get(String.valueOf(i));
                assertThat(r.get("n").asInt()).isEqualTo(i);
                assertThat(Vectors.maxAbsDiff(vector(r), expected.get(i).vector())).as("record %d", i).isLessThan(1e-5);
            }
        }
        assertThat(kafka.readCommitted("out-reuse-dead-letters")).isEmpty();
    }

    @Test
    void threeInjectedFailuresStillGiveExactlyTheRecordsWithoutDuplicates() throws Exception {
        kafka.createTopic("in-2", 4);
        kafka.createTopic("out-2", 4);
        kafka.createTopic("out-2-dead-letters", 1);
        kafka.produce("in-2", goodRecords(RECORDS));
        FailOnce.reset();
        // windows that never fill and never time out: only checkpoint barriers (and the end of
        // input) flush them, so a barrier that left records in the window would lose them here;
        // both instances share one model, which every restart lets go of and takes again
        runJob(config("in-2", "out-2", Map.of("batching.window-size", "1000000", "batching.max-wait-ms", "600000",
                "runtime.share-model", "true")),
                "fixed-delay",
                results -> results.map(new FailOnce(Set.of("2500", "5000", "7500"))).name("inject failures"));

        assertThat(FailOnce.FAILURES.get()).isEqualTo(3);
        List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted("out-2");
        Set<String> ids = new HashSet<>(byId(out).keySet());
        assertThat(out).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            assertThat(ids).contains(String.valueOf(i));
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> awaitCommitted(String topic, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted(topic);
            if (records.size() >= count || System.nanoTime() > deadline) {
                return records;
            }
            Thread.sleep(500);
        }
    }

    private static int[] codes(JsonNode record) {
        JsonNode v = record.get("embedding").get("vector");
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).asInt();
        }
        return out;
    }

    /** Records {@code again-i} for i in [from, to), with the texts of records i. */
    private static List<Map.Entry<String, byte[]>> again(int from, int to) {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String value = "{\"id\": \"again-" + i + "\", \"text\": \"" + text(i) + "\", \"role\": \""
                    + (i % 4 == 0 ? "query" : "document") + "\"}";
            records.add(new AbstractMap.SimpleEntry<>("again-" + i, value.getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    @Test
    void calibratedRangesSurviveStopWithSavepointAndRestoreAtAnotherParallelism(@TempDir Path savepoints)
            throws Exception {
        kafka.createTopic("in-4", 2);
        kafka.createTopic("out-4", 2);
        kafka.createTopic("out-4-dead-letters", 1);
        int half = 300;
        Map<String, String> calibrate = Map.of("kafka.source.bounded", "false", "embedding.quantization", "int8",
                "embedding.ranges", "calibrate", "embedding.calibration-size", "100",
                "runtime.checkpoint-interval-ms", "300");
        kafka.produce("in-4", goodRecords(half));
        // no Kryo anywhere: the calibrated ranges in broadcast state have a proper type
        Configuration noGenericTypes = new Configuration();
        noGenericTypes.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noGenericTypes);
        KafkaRun.wire(env, config("in-4", "out-4", calibrate), UnaryOperator.identity());
        JobClient first = env.executeAsync("calibrate, phase 1");
        List<ConsumerRecord<byte[], byte[]>> phase1Results = awaitCommitted("out-4", half);
        if (phase1Results.size() != half) {
            first.cancel().get(); // free the slots for the other tests
        }
        assertThat(phase1Results).hasSize(half);
        String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(),
                SavepointFormatType.CANONICAL).get();

        // phase 2, restored from the savepoint at parallelism 1, in two rounds: 200 new texts (had
        // the restore lost the ranges, they would recalibrate them, differently, before round two),
        // then phase 1's texts again under new ids
        Configuration restore = new Configuration(noGenericTypes);
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment restored = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        Map<String, String> rescaled = new HashMap<>(calibrate);
        rescaled.put("runtime.parallelism", "1");
        KafkaRun.wire(restored, config("in-4", "out-4", rescaled), UnaryOperator.identity());
        JobClient second = restored.executeAsync("calibrate, phase 2");
        List<Map.Entry<String, byte[]>> fresh = new ArrayList<>();
        for (int j = 0; j < 200; j++) {
            String value = "{\"id\": \"fresh-" + j + "\", \"text\": \"a different sentence, number " + j
                    + ", about databases" + " and indexes".repeat(j % 5) + "\"}";
            fresh.add(new AbstractMap.SimpleEntry<>("fresh-" + j, value.getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produce("in-4", fresh);
        assertThat(awaitCommitted("out-4", half + 200)).hasSize(half + 200);
        kafka.produce("in-4", again(0, half));
        List<ConsumerRecord<byte[], byte[]>> all = awaitCommitted("out-4", 2 * half + 200);
        second.cancel().get();

        // the calibrator got float vectors only until the sample could be full: at most the sample
        // size (100) per embedding subtask in phase 1 (300 records), none at all after the restore
        long phase1 = calibratorInput(first.getJobID());
        long phase2 = calibratorInput(second.getJobID());
        System.out.printf("calibrator input: %d vectors for %d records, then %d for %d records%n",
                phase1, half, phase2, half + 200);
        assertThat(phase1).isBetween(100L, 200L);
        assertThat(phase2).isZero();

        Map<String, JsonNode> results = byId(all);
        assertThat(results).hasSize(2 * half + 200);
        Set<String> rangeIds = new HashSet<>();
        results.values().forEach(r -> rangeIds.add(r.get("embedding").get("ranges").asText()));
        assertThat(rangeIds).as("every code, before and after the restore, uses the same ranges").hasSize(1);
        assertThat(rangeIds).doesNotContain("card");
        for (int i = 0; i < half; i++) {
            int[] before = codes(results.get(String.valueOf(i)));
            int[] after = codes(results.get("again-" + i));
            assertThat(after).hasSameSizeAs(before);
            for (int d = 0; d < before.length; d++) {
                // the float vectors agree within 1e-5, which can move a value across a code boundary
                assertThat(Math.abs(after[d] - before[d])).as("text %d dim %d", i, d).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void plainTextRecordsUseTheKafkaKeyAsIdAndTheirPositionWithoutOne() throws Exception {
        kafka.createTopic("in-5", 1);
        kafka.createTopic("out-5", 1);
        kafka.createTopic("out-5-dead-letters", 1);
        List<Map.Entry<String, byte[]>> input = new ArrayList<>();
        input.add(new AbstractMap.SimpleEntry<>("doc-1", "A plain text value.".getBytes(StandardCharsets.UTF_8)));
        input.add(new AbstractMap.SimpleEntry<>(null, "No key at all.".getBytes(StandardCharsets.UTF_8)));
        kafka.produce("in-5", input);
        runJob(config("in-5", "out-5", Map.of("input.format", "text", "output.encoding", "raw",
                "embedding.quantization", "ubinary")), "none", UnaryOperator.identity());

        List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted("out-5");
        assertThat(out).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("doc-1", "in-5-0@1");
        for (ConsumerRecord<byte[], byte[]> r : out) {
            assertThat(r.value()).hasSize(48); // 384 sign bits
            assertThat(new String(r.headers().lastHeader("leafembed.dtype").value(), StandardCharsets.UTF_8))
                    .isEqualTo("ubinary");
        }
    }

    @Test
    void everyBadRecordIsADeadLetterWithItsReasonAndTheJobNeverRestarts() throws Exception {
        kafka.createTopic("in-3", 2);
        kafka.createTopic("out-3", 2);
        kafka.createTopic("out-3-dead-letters", 1);
        List<Map.Entry<String, byte[]>> input = new ArrayList<>(goodRecords(400));
        List<BadInputCorpus.Bad> bad = BadInputCorpus.records();
        int slot = 3;
        for (BadInputCorpus.Bad b : bad) {
            input.add(slot, new AbstractMap.SimpleEntry<>(b.key(), b.value()));
            slot += 20;
        }
        kafka.produce("in-3", input);
        // restart strategy none: any exception would fail the job and this test
        runJob(config("in-3", "out-3", Map.of()), "none", UnaryOperator.identity());

        assertThat(kafka.readCommitted("out-3")).hasSize(400);
        List<JsonNode> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("out-3-dead-letters")) {
            dead.add(JSON.readTree(r.value()));
        }
        assertThat(dead).hasSize(bad.size());
        for (BadInputCorpus.Bad b : bad) {
            assertThat(dead).filteredOn(d -> d.get("id").asText().equals(b.key()))
                    .as("dead letter of %s", b.key()).singleElement()
                    .satisfies(d -> {
                        assertThat(d.get("reason").asText()).contains(b.reason());
                        assertThat(original(d)).isEqualTo(b.value() == null ? new byte[0] : b.value());
                        assertThat(d.get("topic").asText()).isEqualTo("in-3");
                        assertThat(d.get("original_cut").asBoolean()).isFalse();
                    });
        }
    }

    /** A dead letter's original bytes: its text, or base64 when they were not UTF-8 (never both). */
    private static byte[] original(JsonNode deadLetter) {
        assertThat(deadLetter.has("original") ^ deadLetter.has("original_base64")).as("one representation").isTrue();
        return deadLetter.has("original") ? deadLetter.get("original").asText().getBytes(StandardCharsets.UTF_8)
                : java.util.Base64.getDecoder().decode(deadLetter.get("original_base64").asText());
    }

    @Test
    void hugeBadRecordsBecomeBoundedDeadLettersOnTopicsWithDefaultLimitsAndTheJobFinishes() throws Exception {
        // the input topic takes 8 MiB records; the output topics keep Kafka's defaults (1 MiB)
        kafka.createTopic("in-6", 2, Map.of("max.message.bytes", String.valueOf(8 << 20)));
        kafka.createTopic("out-6", 2);
        kafka.createTopic("out-6-dead-letters", 1);
        List<Map.Entry<String, byte[]>> input = new ArrayList<>(goodRecords(300));
        byte[] unterminated = ("{\"id\":\"k\",\"text\":\"" + "z".repeat(600_000)).getBytes(StandardCharsets.UTF_8);
        byte[] fiveMiB = ("{\"id\":\"five\",\"text\":\"" + "word ".repeat(1 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
        // under input.max-text-bytes (1 MiB), but with its embedding over the producer's 1 MiB limit
        byte[] nearLimit = ("{\"id\":\"near\",\"text\":\"" + "b".repeat(1_046_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        input.add(100, new AbstractMap.SimpleEntry<>("k", unterminated));
        input.add(200, new AbstractMap.SimpleEntry<>("five", fiveMiB));
        input.add(250, new AbstractMap.SimpleEntry<>("near", nearLimit));
        kafka.produce("in-6", input, Map.of("max.request.size", 8 << 20));
        // restart strategy none: a sink that cannot write a record fails the job, and this test
        runJob(config("in-6", "out-6", Map.of("input.max-text-bytes", String.valueOf(1 << 20))), "none",
                UnaryOperator.identity());

        assertThat(byId(kafka.readCommitted("out-6"))).hasSize(300);
        Map<String, JsonNode> dead = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("out-6-dead-letters")) {
            assertThat(r.serializedValueSize()).isLessThan(100 * 1024);
            JsonNode d = JSON.readTree(r.value());
            dead.put(d.get("id").asText(), d);
        }
        assertThat(dead).containsOnlyKeys("k", "five", "near");
        assertThat(dead.get("k").get("reason").asText()).startsWith("malformed JSON");
        assertThat(dead.get("five").get("reason").asText()).contains("over the limit of 1048576");
        assertThat(dead.get("near").get("reason").asText()).contains("max.request.size");
        assertThat(dead.get("near").get("stage").asText()).isEqualTo("output");
        Map<String, byte[]> originals = Map.of("k", unterminated, "five", fiveMiB, "near", nearLimit);
        for (Map.Entry<String, byte[]> e : originals.entrySet()) {
            JsonNode d = dead.get(e.getKey());
            byte[] kept = original(d);
            assertThat(kept).hasSize(64 * 1024);
            assertThat(kept).isEqualTo(java.util.Arrays.copyOf(e.getValue(), kept.length));
            assertThat(d.get("original_size").asLong()).isEqualTo(e.getValue().length);
            assertThat(d.get("original_cut").asBoolean()).isTrue();
        }
        // where the whole record is, for the parse-stage dead letters
        for (String id : List.of("k", "five")) {
            JsonNode d = dead.get(id);
            assertThat(d.get("topic").asText()).isEqualTo("in-6");
            var fetched = kafka.readCommitted("in-6").stream()
                    .filter(r -> r.partition() == d.get("partition").asInt() && r.offset() == d.get("offset").asLong())
                    .findFirst().orElseThrow();
            assertThat(fetched.value()).isEqualTo(originals.get(id));
        }
    }

    @Test
    void twoJobsWithDefaultTransactionalIdsOnOneBrokerDoNotFenceEachOther() throws Exception {
        kafka.createTopic("in-7a", 1);
        kafka.createTopic("in-7b", 1);
        kafka.createTopic("out-7a", 1);
        kafka.createTopic("out-7b", 1);
        kafka.createTopic("out-7a-dead-letters", 1);
        kafka.createTopic("out-7b-dead-letters", 1);
        JobClient[] jobs = new JobClient[2];
        String[] names = {"a", "b"};
        for (int j = 0; j < 2; j++) {
            Map<String, String> settings = new HashMap<>(Map.of("kafka.source.bounded", "false",
                    "runtime.parallelism", "1", "runtime.checkpoint-interval-ms", "300"));
            // the defaults users get: same consumer group, no transactional-id prefix
            Map<String, String> defaults = settings("in-7" + names[j], "out-7" + names[j], settings);
            defaults.remove("kafka.sink.transactional-id-prefix");
            defaults.put("kafka.source.group-id", "leaf-embed");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            Configuration noRestarts = new Configuration();
            noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            env.configure(noRestarts);
            KafkaRun.wire(env, JobConfig.of(defaults), UnaryOperator.identity());
            jobs[j] = env.executeAsync("leaf-embed-it job " + names[j]);
        }
        try {
            for (int round = 0; round < 3; round++) {
                for (String n : names) {
                    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        String id = n + "-" + round + "-" + i;
                        records.add(new AbstractMap.SimpleEntry<>(id, ("{\"id\": \"" + id + "\", \"text\": \"" + text(i)
                                + "\"}").getBytes(StandardCharsets.UTF_8)));
                    }
                    kafka.produce("in-7" + n, records);
                }
                for (String n : names) {
                    assertThat(awaitCommitted("out-7" + n, 100 * (round + 1))).hasSize(100 * (round + 1));
                }
            }
            for (JobClient job : jobs) {
                assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
            }
            for (String n : names) {
                assertThat(byId(kafka.readCommitted("out-7" + n))).hasSize(300)
                        .allSatisfy((id, r) -> assertThat(id).startsWith(n + "-"));
            }
        } finally {
            for (JobClient job : jobs) {
                if (job != null && !job.getJobStatus().get().isGloballyTerminalState()) {
                    job.cancel().get();
                }
            }
            // the next test needs both slots: wait until the jobs are gone, and their slots with them
            for (JobClient job : jobs) {
                while (job != null && !job.getJobStatus().get().isGloballyTerminalState()) {
                    Thread.sleep(100);
                }
            }
            Thread.sleep(2_000);
        }
    }
}
