package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.postprocess.Quantization;
import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster jar's table paths on a real Flink 2.2 standalone session cluster (separate
 * JobManager and TaskManager processes, {@link FlinkStandaloneCluster}, whose lib/ holds the
 * distribution's Table API, planner loader, table runtime and JSON format), a Kafka broker
 * process and a real PostgreSQL 15, each job submitted through the REST API as an operator does; every model here is the fp32 leaf-shaped directory
 * (mdbr-leaf-mt's layout), read from disk by the TaskManager:
 * <ul>
 *   <li>{@code config/kafka-postgres.yaml} as shipped (only the brokers, database, topic,
 *       checkpoint interval and model directory changed): good records become rows, bad ones dead letters on Kafka;
 *       then the TaskManager is killed with SIGKILL while records stream, a new one starts, and
 *       the job recovers: one row per id, each equal to the library's vector, the dead letters
 *       still there once;</li>
 *   <li>{@code --sql config/sql/kafka-to-postgres.sql} (ML_PREDICT with the leaf-embed
 *       provider) and {@code --sql config/sql/kafka-to-postgres-codes.sql} (EMBED() to int8
 *       codes), bounded, on the leaf-shaped model directory: the rows equal the library's.</li>
 * </ul>
 * After each: no class loading errors in any Flink log, and the JobManager, which runs each
 * job's main() (and so plans the SQL and checks the database), never loaded ONNX Runtime or the
 * tokenizer.
 */
class FlinkClusterTablesITCase {

    private static final String RECORDS = "records";
    private static final String RECORDS_DEAD = "records-dead-letters";
    private static final String TEXTS = "texts";
    private static final int SQL_TEXTS = 200;
    private static final int SQL_DIMS = 256;
    private static final List<String> FORBIDDEN = List.of("UnsatisfiedLinkError",
            "already loaded in another classloader", "Could not initialize class");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("stream embedding flink vector model query document search index"
            + " token window batch latency kafka table postgres upsert replay river mountain coffee").split(" ");

    private static Path work;
    private static PostgresServer postgres;
    private static KafkaBrokerProcess kafka;
    private static FlinkStandaloneCluster flink;
    private static Process taskManager;
    private static String jarId;
    private static final Map<String, String> sqlTexts = new LinkedHashMap<>();
    private static final Map<String, String> recordTexts = new TreeMap<>();

    @BeforeAll
    static void start() throws Exception {
        work = FlinkStandaloneCluster.freshDirectory(Path.of("target", "flink-cluster-tables-it").toAbsolutePath());
        try {
            postgres = PostgresServer.start();
            kafka = KafkaBrokerProcess.start(work.resolve("kafka"));
            kafka.createTopic(RECORDS, 2);
            kafka.createTopic(RECORDS_DEAD, 1);
            kafka.createTopic(TEXTS, 2);
            flink = FlinkStandaloneCluster.start(work.resolve("flink"),
                    JobJar.repoRoot().resolve("config/flink/config.yaml"));
            taskManager = flink.startTaskManager();
            flink.awaitTaskManagers(1);
            jarId = flink.rest().uploadJar(JobJar.clusterJar());
        } catch (Throwable t) {
            printLogs(); // @AfterAll stops what did start
            throw t;
        }
        Map<String, String> records = new LinkedHashMap<>();
        for (int i = 0; i < SQL_TEXTS; i++) {
            String id = "doc-" + i;
            sqlTexts.put(id, text(i));
            records.put(id, JSON.createObjectNode().put("id", id).put("text", text(i)).toString());
        }
        kafka.produce(TEXTS, records);
    }

    @AfterAll
    static void stop() throws Exception {
        TestServers.closeAll(flink, kafka, postgres);
    }

    /** Mixed lengths: mostly a few words, one in eight about sixty. */
    private static String text(int i) {
        StringBuilder text = new StringBuilder("text " + i);
        int words = i % 8 == 0 ? 60 : 3 + i % 13;
        for (int w = 0; w < words; w++) {
            text.append(' ').append(WORDS[(i * 7 + w * 3) % WORDS.length]);
        }
        return text.toString();
    }

    @Test
    void yamlJobWithTheJdbcSinkKeepsOneRowPerIdWithTheLibrarysVectorsAcrossATaskManagerKill() throws Exception {
        FlinkRest rest = flink.rest();
        String jobId = null;
        try {
            Path yaml = work.resolve("kafka-postgres.yaml");
            Files.writeString(yaml, ConfigEdits.apply(JobJar.repoRoot().resolve("config/kafka-postgres.yaml"),
                    Map.of("bootstrap-servers: localhost:9092", "bootstrap-servers: " + kafka.bootstrapServers(),
                            "topics: texts", "topics: " + RECORDS,
                            "dead-letter-topic: texts-dead-letters", "dead-letter-topic: " + RECORDS_DEAD,
                            "url: jdbc:postgresql://localhost:5432/postgres", "url: " + postgres.url(),
                            "user: postgres", "user: " + postgres.user() + "\n    password: unused",
                            "checkpoint-interval-ms: 10000", "checkpoint-interval-ms: 1000",
                            // the fp32 leaf-shaped directory, whose vectors do not depend on their batch
                            "input:\n", "model:\n  dir: " + LeafShapedModel.directory() + "\ninput:\n")));
            produceRecords(60);
            Map<String, String> bad = new LinkedHashMap<>();
            bad.put("bad-json", "{\"id\": \"bad-json\", \"text\": ");
            bad.put("bad-no-text", "{\"id\": \"bad-no-text\"}");
            bad.put("bad-role", "{\"id\": \"bad-role\", \"text\": \"a poem\", \"role\": \"poet\"}");
            kafka.produce(RECORDS, bad);
            jobId = rest.runJar(jarId, List.of("--config", yaml.toString()), 2, null);
            awaitRows(recordTexts.size());
            assertDeadLetters(bad.keySet());
            afterStep("jdbc job");

            // SIGKILL the TaskManager while records stream; a new one takes over
            CompletableFuture<Void> slowly = CompletableFuture.runAsync(() -> produceSlowly(60, 80));
            awaitRowsAtLeast(70);
            taskManager.destroyForcibly();
            assertThat(taskManager.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int rowsAtKill = rowCount();
            taskManager = flink.startTaskManager();
            slowly.get(60, TimeUnit.SECONDS);
            awaitRows(recordTexts.size());
            assertThat(rest.exceptions(jobId).path("exceptionHistory").path("entries"))
                    .as("the job saw the lost TaskManager").isNotEmpty();
            System.out.printf("FlinkClusterTablesITCase: TaskManager killed at %d rows; %d rows after recovery%n",
                    rowsAtKill, rowCount());
            Map<String, float[]> rows = PostgresRows.vectors(postgres, "embeddings", 1024);
            assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(recordTexts.keySet());
            List<String> ids = new ArrayList<>(recordTexts.keySet());
            EmbedderOptions leafShaped = EmbedderOptions.builder().modelDir(LeafShapedModel.directory()).build();
            try (Embedder embedder = Embedder.open(leafShaped)) {
                List<Embedding> expected = embedder.embed(ids.stream()
                        .map(id -> new TextInput(recordTexts.get(id), "document")).toList());
                for (int i = 0; i < ids.size(); i++) {
                    assertThat(Vectors.maxAbsDiff(rows.get(ids.get(i)), expected.get(i).vector())).as(ids.get(i))
                            .isLessThan(1e-6);
                }
            }
            assertDeadLetters(bad.keySet());
            afterStep("jdbc job after the TaskManager kill");
        } catch (Throwable t) {
            printLogs();
            throw t;
        } finally {
            if (jobId != null) {
                rest.cancel(jobId);
                rest.awaitState(jobId, "CANCELED", Duration.ofSeconds(60));
            }
        }
    }

    @Test
    void mlPredictScriptSubmittedToTheClusterFillsTheTableWithTheLibrarysVectors() throws Exception {
        postgres.execute("CREATE TABLE sql_vectors (id text PRIMARY KEY, embedding real[] NOT NULL, model text"
                + " NOT NULL, dims integer NOT NULL, dtype text NOT NULL, updated_at timestamptz NOT NULL DEFAULT"
                + " now())");
        runScript("kafka-to-postgres.sql", "leaf-embed-sql", "embeddings", "sql_vectors");
        Map<String, float[]> rows = PostgresRows.vectors(postgres, "sql_vectors", SQL_DIMS);
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(sqlTexts.keySet());
        Map<String, Embedding> expected = library("query", Quantization.FLOAT32);
        for (Map.Entry<String, float[]> row : rows.entrySet()) {
            assertThat(Vectors.maxAbsDiff(row.getValue(), expected.get(row.getKey()).vector())).as(row.getKey())
                    .isLessThan(1e-6);
        }
    }

    @Test
    void embedScriptSubmittedToTheClusterWritesTheLibrarysInt8Codes() throws Exception {
        postgres.execute("CREATE TABLE sql_codes (id text PRIMARY KEY, embedding bytea NOT NULL, model text"
                + " NOT NULL, dims integer NOT NULL, dtype text NOT NULL, updated_at timestamptz NOT NULL DEFAULT"
                + " now())");
        runScript("kafka-to-postgres-codes.sql", "leaf-embed-sql-codes", "embedding_codes", "sql_codes");
        Map<String, byte[]> rows = PostgresRows.codes(postgres, "sql_codes", SQL_DIMS, "int8");
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(sqlTexts.keySet());
        Map<String, Embedding> floats = library("document", Quantization.FLOAT32);
        Map<String, Embedding> codes = library("document", Quantization.INT8);
        int onBoundary = 0;
        for (Map.Entry<String, byte[]> row : rows.entrySet()) {
            String id = row.getKey();
            onBoundary += LibraryCodes.int8(row.getValue(), codes.get(id).codes(), floats.get(id).vector(), id);
        }
        assertThat(onBoundary).as("int8 codes one step off the library's, on a rounding boundary")
                .isLessThan(SQL_TEXTS);
    }

    /**
     * Runs a script of config/sql/ on the cluster ({@code --sql FILE} through the REST API, as
     * {@code flink run JAR --sql FILE} does) with what points it at this machine, a bounded scan
     * so the job finishes; waits until it has.
     */
    private static void runScript(String name, String group, String tableInScript, String table)
            throws Exception {
        Map<String, String> edits = ConfigEdits.sqlScriptOnThisMachine(kafka.bootstrapServers(), postgres,
                LeafShapedModel.directory(), group, group + "-cluster", tableInScript, table);
        Path script = work.resolve(name);
        Files.writeString(script, ConfigEdits.apply(JobJar.repoRoot().resolve("config/sql").resolve(name), edits));
        FlinkRest rest = flink.rest();
        String jobId = null;
        try {
            jobId = rest.runJar(jarId, List.of("--sql", script.toString()), 2, null);
            rest.awaitState(jobId, "FINISHED", Duration.ofSeconds(180));
            afterStep(name);
        } catch (Throwable t) {
            if (jobId != null) {
                System.err.println("FlinkClusterTablesITCase: " + name + " job " + jobId + ": "
                        + rest.exceptions(jobId).path("rootException").asText());
            }
            printLogs();
            throw t;
        }
    }

    /** The library's embeddings of the SQL texts on the leaf-shaped model, by id. */
    private static Map<String, Embedding> library(String role, Quantization quantization) {
        List<String> ids = new ArrayList<>(sqlTexts.keySet());
        EmbedderOptions options = EmbedderOptions.builder().modelDir(LeafShapedModel.directory())
                .truncateDim(SQL_DIMS).quantization(quantization).build();
        Map<String, Embedding> out = new LinkedHashMap<>();
        try (Embedder embedder = Embedder.open(options)) {
            List<Embedding> embeddings = embedder.embed(ids.stream().map(id -> new TextInput(sqlTexts.get(id), role))
                    .toList());
            for (int i = 0; i < ids.size(); i++) {
                out.put(ids.get(i), embeddings.get(i));
            }
        }
        return out;
    }

    /** What must hold after every step: no class loading failures, no model in the JobManager. */
    private static void afterStep(String step) throws Exception {
        assertThat(Logs.grep(flink.logDir(), FORBIDDEN)).as("JobManager/TaskManager log lines after " + step)
                .isEmpty();
        assertThat(FlinkStandaloneCluster.mappedCopies(flink.jobManager(), "libonnxruntime.so"))
                .as("ONNX Runtime in the JobManager after " + step).isEmpty();
        assertThat(FlinkStandaloneCluster.mappedCopies(flink.jobManager(), "libtokenizers.so"))
                .as("the tokenizer in the JobManager after " + step).isEmpty();
    }

    private static void produceRecords(int count) {
        Map<String, String> records = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            records.put(recordId(i), record(i));
        }
        kafka.produce(RECORDS, records);
    }

    private static void produceSlowly(int count, long pauseMs) {
        int from = recordTexts.size();
        for (int i = from; i < from + count; i++) {
            kafka.produce(RECORDS, Map.of(recordId(i), record(i)));
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String recordId(int i) {
        return String.format("r-%04d", i);
    }

    private static synchronized String record(int i) {
        recordTexts.put(recordId(i), text(i));
        return JSON.createObjectNode().put("id", recordId(i)).put("text", text(i)).toString();
    }

    private static synchronized int expectedRows() {
        return recordTexts.size();
    }

    private static int rowCount() throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT count(*) FROM embeddings")) {
            rows.next();
            return rows.getInt(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0; // the job has not created the table yet
            }
            throw e;
        }
    }

    private static void awaitRowsAtLeast(int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (rowCount() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " rows after 120 s: " + rowCount());
            }
            Thread.sleep(200);
        }
    }

    /** Waits until the table holds {@code count} rows, the ids produced so far. */
    private static void awaitRows(int count) throws Exception {
        awaitRowsAtLeast(count);
        assertThat(rowCount()).as("rows (produced %d)", expectedRows()).isEqualTo(count);
    }

    /**
     * The dead-letter topic holds each of {@code ids} once (read_committed), each with a reason;
     * waits for them, since they commit with the checkpoint after the rows' flush.
     */
    private static void assertDeadLetters(Set<String> ids) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<ConsumerRecord<byte[], byte[]>> letters = kafka.readCommitted(RECORDS_DEAD);
        while (letters.size() < ids.size() && System.nanoTime() < deadline) {
            Thread.sleep(300);
            letters = kafka.readCommitted(RECORDS_DEAD);
        }
        List<String> seen = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : letters) {
            JsonNode letter = JSON.readTree(record.value());
            assertThat(letter.path("reason").asText()).as("reason of %s", letter).isNotBlank();
            seen.add(letter.path("id").asText());
        }
        assertThat(seen).as("dead letters").containsExactlyInAnyOrderElementsOf(ids);
    }

    private static void printLogs() {
        if (flink != null) {
            System.err.println("FlinkClusterTablesITCase: logs under " + flink.logDir() + flink.logTails(80));
        }
        if (kafka != null) {
            System.err.println("----- " + kafka.log() + "\n" + Logs.tail(kafka.log(), 40));
        }
    }
}
