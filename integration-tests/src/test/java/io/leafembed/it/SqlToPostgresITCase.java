package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.job.SqlRun;
import io.leafembed.job.sql.SqlScript;
import io.leafembed.postprocess.Quantization;
import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The example scripts of {@code config/sql/} end to end: 5,000 JSON records in a real Kafka
 * broker, read by a Flink SQL Kafka table, embedded by {@code ML_PREDICT} with the leaf-embed
 * provider (or by {@code EMBED()}), written by the JDBC connector into a real PostgreSQL 15
 * table. The scripts run as written except for what points at this machine (broker, database,
 * model directory) and a bounded scan, so the job ends; every replacement must match, so a change
 * to the scripts breaks this test rather than silently testing something else. Each row is
 * checked against the core library's {@link Embedder}, and a run with failures injected in the
 * middle against the run without them.
 */
class SqlToPostgresITCase {

    private static final int RECORDS = 5_000;
    private static final int DIMS = 256;
    private static final String TOPIC = "texts";
    private static final String VECTORS_DDL = " (id text PRIMARY KEY, embedding real[] NOT NULL, model text NOT NULL,"
            + " dims integer NOT NULL, dtype text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";
    private static final String CODES_DDL = " (id text PRIMARY KEY, embedding bytea NOT NULL, model text NOT NULL,"
            + " dims integer NOT NULL, dtype text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static KafkaBroker kafka;
    private static PostgresServer postgres;
    private static final Map<String, String> TEXTS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start();
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, 2);
        String[] words = ("stream embedding flink vector model query document search index token window batch"
                + " latency kafka table sort length matryoshka quantize cosine retrieval leaf river mountain coffee"
                + " music winter garden library engine postgres upsert replay").split(" ");
        Random random = new Random(11);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            int n = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 16); // mostly short, a long tail
            StringBuilder text = new StringBuilder("text " + i);
            for (int w = 0; w < n; w++) {
                text.append(' ').append(words[random.nextInt(words.length)]);
            }
            String id = "doc-" + i;
            TEXTS.put(id, text.toString());
            String json = "{\"id\": \"" + id + "\", \"text\": \"" + text + "\"}";
            records.add(new AbstractMap.SimpleEntry<>(id, json.getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produce(TOPIC, records);
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

    /** Fails the query once at each of the given ids; static because the MiniCluster shares this JVM. */
    public static final class FailOnceFunction extends ScalarFunction {
        static final Set<String> FAIL_AT = Set.of("doc-1500", "doc-3500");
        static final Set<String> FAILED = ConcurrentHashMap.newKeySet();
        static final AtomicInteger FAILURES = new AtomicInteger();

        public String eval(String id, String text) {
            if (FAIL_AT.contains(id) && FAILED.add(id)) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure at " + id);
            }
            return text;
        }
    }

    /** A script from config/sql/ with {@code edits} applied; each edit's target must occur exactly once. */
    private static String script(String name, Map<String, String> edits) throws Exception {
        return ConfigEdits.apply(JobJar.repoRoot().resolve("config/sql").resolve(name), edits);
    }

    /** What points the scripts at this machine, plus a bounded scan so the job ends. */
    private static Map<String, String> local(String group, String table, String tableInScript) {
        return ConfigEdits.sqlScriptOnThisMachine(kafka.bootstrapServers(), postgres, LeafShapedModel.directory(),
                group, group + "-" + table, tableInScript, table);
    }

    /** Runs the script as {@code --sql} does, on the test's MiniCluster, with bounded restarts. */
    private static void run(String name, String text) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration restarts = new Configuration();
        // with checkpointing on, a failing job restarts forever by default: bound it
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        env.configure(restarts);
        env.setParallelism(2);
        env.enableCheckpointing(300, CheckpointingMode.EXACTLY_ONCE);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        SqlRun.execute(tables, SqlScript.parse(text, name), name, System.out).await();
    }



    /** The library's embeddings of every text, by id, in the given role. */
    private static Map<String, Embedding> library(String role, Quantization quantization) {
        List<String> ids = new ArrayList<>(TEXTS.keySet());
        List<TextInput> inputs = new ArrayList<>();
        ids.forEach(id -> inputs.add(new TextInput(TEXTS.get(id), role)));
        EmbedderOptions options = EmbedderOptions.builder().modelDir(LeafShapedModel.directory()).truncateDim(DIMS)
                .quantization(quantization).build();
        Map<String, Embedding> out = new HashMap<>();
        try (Embedder embedder = Embedder.open(options)) {
            List<Embedding> embeddings = embedder.embed(inputs);
            for (int i = 0; i < ids.size(); i++) {
                out.put(ids.get(i), embeddings.get(i));
            }
        }
        return out;
    }


    @Test
    void mlPredictFillsTheTableWithTheLibrarysVectorsAlsoAfterInjectedFailures() throws Exception {
        postgres.execute("CREATE TABLE vectors_clean" + VECTORS_DDL, "CREATE TABLE vectors_failed" + VECTORS_DDL);
        run("kafka-to-postgres.sql", script("kafka-to-postgres.sql", local("leaf-embed-sql", "vectors_clean",
                "embeddings")));
        Map<String, float[]> clean = PostgresRows.vectors(postgres, "vectors_clean", DIMS);
        assertThat(clean).hasSize(RECORDS);
        Map<String, Embedding> expected = library("query", Quantization.FLOAT32);
        for (Map.Entry<String, float[]> row : clean.entrySet()) {
            assertThat(row.getValue()).as(row.getKey()).hasSize(DIMS);
            assertThat(Vectors.maxAbsDiff(row.getValue(), expected.get(row.getKey()).vector())).as(row.getKey())
                    .isLessThan(1e-6);
        }

        // the same script with a function that fails the query twice in the middle of the stream
        Map<String, String> failing = local("leaf-embed-sql", "vectors_failed", "embeddings");
        failing.put("FROM ML_PREDICT(TABLE texts,", "FROM ML_PREDICT(TABLE texts_failing,");
        String text = script("kafka-to-postgres.sql", failing)
                + "\nCREATE TEMPORARY FUNCTION fail_once AS '" + FailOnceFunction.class.getName() + "';"
                + "\nCREATE TEMPORARY VIEW texts_failing AS SELECT id, fail_once(id, text) AS text FROM texts;\n";
        FailOnceFunction.FAILED.clear();
        FailOnceFunction.FAILURES.set(0);
        run("kafka-to-postgres.sql (failing)", text);
        assertThat(FailOnceFunction.FAILURES.get()).isEqualTo(2);
        Map<String, float[]> replayed = PostgresRows.vectors(postgres, "vectors_failed", DIMS);
        assertThat(replayed).hasSize(RECORDS);
        for (Map.Entry<String, float[]> row : clean.entrySet()) {
            assertThat(Vectors.maxAbsDiff(replayed.get(row.getKey()), row.getValue())).as(row.getKey()).isLessThan(1e-6);
        }
    }

    @Test
    void embedWritesInt8AndBinaryCodesEqualToTheLibrarysIntoBytea() throws Exception {
        postgres.execute("CREATE TABLE codes_int8" + CODES_DDL, "CREATE TABLE codes_binary" + CODES_DDL);
        run("kafka-to-postgres-codes.sql", script("kafka-to-postgres-codes.sql", local("leaf-embed-sql-codes",
                "codes_int8", "embedding_codes")));
        Map<String, String> binaryEdits = local("leaf-embed-sql-codes", "codes_binary", "embedding_codes");
        binaryEdits.put("SET 'leaf-embed.embedding.quantization' = 'int8';",
                "SET 'leaf-embed.embedding.quantization' = 'binary';");
        binaryEdits.put("256, 'int8', CURRENT_TIMESTAMP", "256, 'binary', CURRENT_TIMESTAMP");
        run("kafka-to-postgres-codes.sql (binary)", script("kafka-to-postgres-codes.sql", binaryEdits));

        Map<String, byte[]> int8 = PostgresRows.codes(postgres, "codes_int8", DIMS, "int8");
        Map<String, byte[]> binary = PostgresRows.codes(postgres, "codes_binary", DIMS, "binary");
        assertThat(int8).hasSize(RECORDS);
        assertThat(binary).hasSize(RECORDS);
        Map<String, Embedding> floats = library("document", Quantization.FLOAT32);
        Map<String, Embedding> int8Expected = library("document", Quantization.INT8);
        Map<String, Embedding> binaryExpected = library("document", Quantization.BINARY);
        int onBoundary = 0;
        for (String id : TEXTS.keySet()) {
            assertThat(int8.get(id)).as("int8 %s", id).hasSize(DIMS);
            assertThat(binary.get(id)).as("binary %s", id).hasSize(DIMS / 8);
            float[] v = floats.get(id).vector();
            onBoundary += LibraryCodes.int8(int8.get(id), int8Expected.get(id).codes(), v, "int8 " + id);
            onBoundary += LibraryCodes.binary(binary.get(id), binaryExpected.get(id).codes(), v, "binary " + id);
        }
        System.out.printf("EMBED() codes: %d of %d int8/binary bytes differ from the library's, all on a boundary%n",
                onBoundary, RECORDS * (DIMS + DIMS / 8));
        assertThat(onBoundary).isLessThan(RECORDS);
    }
}
