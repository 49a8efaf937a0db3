package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedResult;
import io.leafembed.job.LeafEmbedJob;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.source.RawRecord;
import io.leafembed.job.source.RecordFormat;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's pipeline (parse -> batched embed -> results + dead letters) on a MiniCluster with
 * parallelism 2, fed directly (the Kafka source and sink are tested elsewhere).
 */
class PipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static JobConfig config(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("model.onnx-file", TestModels.minilmOnnx().toString());
        settings.put("model.tokenizer-file", TestModels.minilmTokenizer().toString());
        settings.put("model.max-length", "256");
        settings.put("batching.max-wait-ms", "20");
        settings.put("batching.window-size", "64");
        settings.putAll(extra);
        return JobConfig.of(settings);
    }

    private static RawRecord json(String key, String value) {
        return new RawRecord(key, value.getBytes(StandardCharsets.UTF_8), "test@" + key);
    }

    private static String text(int i) {
        return "record " + i + " " + "talks about streams and embeddings ".repeat(1 + i % 7);
    }

    private static List<RawRecord> goodRecords(int n) {
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String role = i % 5 == 0 ? "query" : "document";
            records.add(json("k" + i, "{\"id\": \"" + i + "\", \"text\": \"" + text(i) + "\", \"role\": \"" + role + "\"}"));
        }
        return records;
    }

    @Test
    void goodRecordsAreEmbeddedAndEveryBadOneIsADeadLetterWithoutRestarts() throws Exception {
        List<RawRecord> good = goodRecords(600);
        List<BadInputCorpus.Bad> bad = BadInputCorpus.records();
        List<RawRecord> input = new ArrayList<>(good);
        int slot = 7;
        for (BadInputCorpus.Bad b : bad) {
            input.add(slot, new RawRecord(b.key(), b.value(), "test@" + b.key()));
            slot += 31;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        DataStream<RawRecord> raw = env.fromData(input);
        LeafEmbedJob.Outputs outputs = LeafEmbedJob.build(raw, config(Map.of("input.max-text-bytes", String.valueOf(BadInputCorpus.MAX_TEXT_BYTES))),
                RecordFormat.JSON, 1);
        // both outputs in one collected stream: results as-is, dead letters wrapped
        DataStream<Object[]> all = outputs.results().map(r -> new Object[] {r}, org.apache.flink.api.common.typeinfo.Types.GENERIC(Object[].class))
                .union(outputs.deadLetters().map(d -> new Object[] {d}, org.apache.flink.api.common.typeinfo.Types.GENERIC(Object[].class)));
        List<EmbedResult> results = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        try (var it = all.executeAndCollect()) {
            it.forEachRemaining(o -> {
                if (o[0] instanceof EmbedResult) {
                    results.add((EmbedResult) o[0]);
                } else {
                    dead.add((DeadLetter) o[0]);
                }
            });
        }

        assertThat(results).hasSize(good.size());
        assertThat(results.stream().map(EmbedResult::id).distinct().count()).isEqualTo(good.size());
        assertThat(dead).hasSize(bad.size());
        for (BadInputCorpus.Bad b : bad) {
            assertThat(dead).filteredOn(d -> d.id().equals(b.key()))
                    .as("dead letter of %s", b.key()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains(b.reason()));
        }

        // each vector equals the core library's for the same text and role (fp32 is batch-independent)
        try (Embedder embedder = Embedder.open(TestModels.minilm().build())) {
            for (EmbedResult r : results) {
                int i = Integer.parseInt(r.id());
                Embedding expected = embedder.embed(new TextInput(text(i), i % 5 == 0 ? "query" : "document"));
                assertThat(Vectors.maxAbsDiff(r.vector(), expected.vector())).as("record %d", i).isLessThan(1e-5);
                assertThat(r.tokenCount()).isEqualTo(expected.tokenCount());
            }
        }
    }

    @Test
    void injectedFailuresRestartFromCheckpointsWithoutLossOrDuplicates() throws Exception {
        int n = 1500;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, java.time.Duration.ofMillis(100));
        env.configure(restarts);
        DataStream<RawRecord> raw = env.fromSource(
                new org.apache.flink.connector.datagen.source.DataGeneratorSource<>(
                        i -> json("k" + i, "{\"id\": \"" + i + "\", \"text\": \"" + text(i.intValue()) + "\"}"),
                        n, org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy.perSecond(600),
                        org.apache.flink.api.common.typeinfo.TypeInformation.of(RawRecord.class)),
                WatermarkStrategy.noWatermarks(), "generator");
        FailOnce.reset();
        LeafEmbedJob.Outputs outputs = LeafEmbedJob.build(raw, config(Map.of()), RecordFormat.JSON, 1);
        DataStream<EmbedResult> checked = outputs.results().map(new FailOnce(Set.of("400", "800", "1200")));
        List<String> ids = new ArrayList<>();
        try (var it = checked.executeAndCollect()) {
            it.forEachRemaining(r -> ids.add(r.id()));
        }
        assertThat(FailOnce.FAILURES.get()).isEqualTo(3);
        Set<String> unique = new HashSet<>(ids);
        assertThat(ids).hasSize(n);
        assertThat(unique).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(unique).contains(String.valueOf(i));
        }
    }
}
