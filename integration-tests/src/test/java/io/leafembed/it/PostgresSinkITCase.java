package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.function.EmbedResult;
import io.leafembed.job.KafkaRun;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.sink.jdbc.PostgresTable;
import io.leafembed.postprocess.Quantization;
import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.Vectors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kafka job with {@code sink.type: jdbc}: a real broker in this JVM, a real PostgreSQL 15
 * server, the job on a MiniCluster with two slots and the leaf-shaped model (mdbr-leaf-mt's
 * structure: MiniLM encoder + 1024x384 Dense) truncated to 256 dims. The rows are checked
 * against the core library's {@link Embedder}, and a run with injected failures against a run
 * without them.
 */
class PostgresSinkITCase {

    private static final int RECORDS = 5_000;
    private static final int DIMS = 256;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static KafkaBroker kafka;
    private static PostgresServer postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start();
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    private static String text(int i) {
        return "record " + i + " about postgres" + " and vectors".repeat(i % 5);
    }

    private static String role(int i) {
        return i % 4 == 0 ? "query" : "document";
    }

    private static List<Map.Entry<String, byte[]>> records(int n) {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String value = "{\"id\": \"" + i + "\", \"text\": \"" + text(i) + "\", \"role\": \"" + role(i) + "\"}";
            records.add(new AbstractMap.SimpleEntry<>("k" + i, value.getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private static List<TextInput> inputs(int n) {
        List<TextInput> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs.add(new TextInput(text(i), role(i)));
        }
        return inputs;
    }

    private static JobConfig config(String in, String table, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        settings.put("kafka.source.topics", in);
        settings.put("kafka.source.starting-offsets", "earliest");
        settings.put("kafka.source.bounded", "true");
        settings.put("kafka.source.group-id", "it-" + in);
        settings.put("kafka.sink.dead-letter-topic", in + "-dead-letters");
        settings.put("kafka.sink.transactional-id-prefix", "it-" + table);
        settings.put("sink.type", "jdbc");
        settings.put("sink.jdbc.url", postgres.url());
        settings.put("sink.jdbc.user", postgres.user());
        settings.put("sink.jdbc.table", table);
        settings.put("sink.jdbc.create-table", "true");
        settings.put("sink.jdbc.batch-size", "200");
        settings.put("runtime.checkpoint-interval-ms", "500");
        settings.put("runtime.parallelism", "2");
        settings.put("model.dir", LeafShapedModel.directory().toString());
        settings.put("embedding.truncate-dim", String.valueOf(DIMS));
        settings.put("batching.window-size", "128");
        settings.put("batching.max-wait-ms", "20");
        settings.putAll(extra);
        return JobConfig.of(settings);
    }

    /** Prepares the table (as KafkaRun.run does) and runs the job to its end; restarts bounded. */
    private static void runJob(JobConfig config, UnaryOperator<DataStream<EmbedResult>> beforeSink) throws Exception {
        PostgresTable.of(config).prepare(System.err);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration restarts = new Configuration();
        // with checkpointing on, a failing job restarts forever by default: bound it
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        env.configure(restarts);
        KafkaRun.wire(env, config, beforeSink);
        env.execute("leaf-embed-it jdbc");
    }




    @Test
    void fiveThousandRecordsGiveOneRowEachWithTheLibrarysVectorsAlsoAfterInjectedFailures() throws Exception {
        kafka.createTopic("pg-in", 4);
        kafka.createTopic("pg-in-dead-letters", 1);
        kafka.produce("pg-in", records(RECORDS));

        runJob(config("pg-in", "vectors_clean", Map.of()), UnaryOperator.identity());
        Map<String, float[]> clean = PostgresRows.vectors(postgres, "vectors_clean", DIMS);
        assertThat(clean).hasSize(RECORDS);
        EmbedderOptions options = EmbedderOptions.builder().modelDir(LeafShapedModel.directory()).truncateDim(DIMS)
                .build();
        try (Embedder embedder = Embedder.open(options)) {
            List<Embedding> expected = embedder.embed(inputs(RECORDS));
            for (int i = 0; i < RECORDS; i++) {
                float[] row = clean.get(String.valueOf(i));
                assertThat(row).as("row %d", i).isNotNull().hasSize(DIMS);
                assertThat(Vectors.maxAbsDiff(row, expected.get(i).vector())).as("row %d", i).isLessThan(1e-6);
            }
        }

        // failures mid-run: the job restarts from the last checkpoint and replays into the same rows
        FailOnce.reset();
        runJob(config("pg-in", "vectors_failed", Map.of("batching.window-size", "1000000",
                "batching.max-wait-ms", "600000")),
                results -> results.map(new FailOnce(Set.of("1500", "3500"))).name("inject failures"));
        assertThat(FailOnce.FAILURES.get()).isEqualTo(2);
        Map<String, float[]> replayed = PostgresRows.vectors(postgres, "vectors_failed", DIMS);
        assertThat(replayed).hasSize(RECORDS);
        for (Map.Entry<String, float[]> e : clean.entrySet()) {
            assertThat(Vectors.maxAbsDiff(replayed.get(e.getKey()), e.getValue())).as("row %s", e.getKey()).isLessThan(1e-6);
        }
        assertThat(kafka.readCommitted("pg-in-dead-letters")).isEmpty();
    }

    @Test
    void int8AndBinaryCodesLandInByteaWithTheLibrarysCodes() throws Exception {
        int n = 300;
        kafka.createTopic("pg-codes", 2);
        kafka.createTopic("pg-codes-dead-letters", 1);
        kafka.produce("pg-codes", records(n));
        runJob(config("pg-codes", "codes_int8", Map.of("embedding.quantization", "int8")), UnaryOperator.identity());
        runJob(config("pg-codes", "codes_binary", Map.of("embedding.quantization", "binary")),
                UnaryOperator.identity());
        Map<String, byte[]> int8 = PostgresRows.codes(postgres, "codes_int8", DIMS, "int8");
        Map<String, byte[]> binary = PostgresRows.codes(postgres, "codes_binary", DIMS, "binary");
        assertThat(int8).hasSize(n);
        assertThat(binary).hasSize(n);

        EmbedderOptions.Builder base = EmbedderOptions.builder().modelDir(LeafShapedModel.directory())
                .truncateDim(DIMS);
        List<TextInput> inputs = inputs(n);
        List<Embedding> floats;
        List<Embedding> int8Expected;
        List<Embedding> binaryExpected;
        try (Embedder f = Embedder.open(base.build())) {
            floats = f.embed(inputs);
        }
        try (Embedder q = Embedder.open(base.quantization(Quantization.INT8).build())) {
            int8Expected = q.embed(inputs);
        }
        try (Embedder b = Embedder.open(base.quantization(Quantization.BINARY).build())) {
            binaryExpected = b.embed(inputs);
        }
        int onBoundary = 0;
        for (int i = 0; i < n; i++) {
            byte[] rowInt8 = int8.get(String.valueOf(i));
            byte[] rowBinary = binary.get(String.valueOf(i));
            assertThat(rowInt8).as("int8 row %d", i).hasSize(DIMS);
            assertThat(rowBinary).as("binary row %d", i).hasSize(DIMS / 8);
            float[] v = floats.get(i).vector();
            onBoundary += LibraryCodes.int8(rowInt8, int8Expected.get(i).codes(), v, "int8 row " + i);
            onBoundary += LibraryCodes.binary(rowBinary, binaryExpected.get(i).codes(), v, "binary row " + i);
        }
        System.out.printf("codes: %d of %d int8/binary bytes differ from the library's, all on a boundary%n",
                onBoundary, n * (DIMS + DIMS / 8));
        assertThat(onBoundary).isLessThan(n);
    }
}
