package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink SQL into a real PostgreSQL 15: {@code 'connector' = 'jdbc'} tables with {@code
 * ARRAY<FLOAT>} columns go through leaf-embed's own dialect into {@code real[]} (the stock
 * dialect refuses to write arrays), upserted by primary key; and {@code java -jar JAR --sql
 * FILE} runs a script end to end, or refuses a broken one with exit 2 and its line.
 */
class PostgresSqlITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static StreamTableEnvironment tables() {
        return StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment());
    }

    private String jdbcTable(String name, String columns) {
        return "CREATE TABLE " + name + " (" + columns + ") WITH ('connector' = 'jdbc', 'url' = '" + postgres.url()
                + "', 'table-name' = '" + name + "', " + credentials() + ")";
    }

    /** The connector wants a password with the user; the test server trusts local connections. */
    private static String credentials() {
        return "'username' = '" + postgres.user() + "', 'password' = 'unused'";
    }

    /**
     * A FLOAT literal that Flink turns into exactly {@code v}: the float's exact value as a DOUBLE
     * literal, cast (Flink's CAST of a short string such as '3.1415927' loses the last bit).
     */
    private static String literal(float v) {
        String exact = Double.toString(v);
        return "CAST(" + (exact.contains("E") ? exact : exact + "E0") + " AS FLOAT)";
    }

    private static String array(float... values) {
        StringBuilder out = new StringBuilder("ARRAY[");
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ", ").append(literal(values[i]));
        }
        return out.append("]").toString();
    }

    /** id -> the real[] column read back through pgjdbc. */
    private static Map<String, Float[]> realArrays(String table, String column) throws Exception {
        Map<String, Float[]> out = new HashMap<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT id, " + column + " FROM " + table)) {
            while (rows.next()) {
                out.put(rows.getString(1), (Float[]) rows.getArray(2).getArray());
            }
        }
        return out;
    }

    private static void assertExactly(Float[] actual, float... expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToIntBits(actual[i])).as("element %d: %s vs %s", i, actual[i], expected[i])
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    @Test
    void arrayOfFloatLandsInRealArrayBitForBitAndASecondInsertUpdatesTheRowById() throws Exception {
        postgres.execute("CREATE TABLE upserted (id text PRIMARY KEY, embedding real[] NOT NULL, codes bytea,"
                + " model text, dims integer, updated_at timestamptz NOT NULL DEFAULT now())");
        String columns = "id STRING, embedding ARRAY<FLOAT>, codes BYTES, model STRING, dims INT,"
                + " PRIMARY KEY (id) NOT ENFORCED";
        float[] a1 = {0.7f, 2f, -3f, 4f, 5f, 6f};
        float[] b1 = {0.25f, (float) Math.E};
        float[] a2 = {0.1f, -1.5f, Float.MIN_VALUE, Float.MAX_VALUE, 1f / 3, (float) Math.PI, 1e-30f};
        StreamTableEnvironment first = tables();
        first.executeSql(jdbcTable("upserted", columns));
        first.executeSql("INSERT INTO upserted VALUES ('a', " + array(a1) + ", X'00ff7f80', 'm1', 6), ('b', "
                + array(b1) + ", X'01', 'm1', 2)").await();
        // the same ids again (a replay, or new values): still one row per id, a's values replaced
        StreamTableEnvironment second = tables();
        second.executeSql(jdbcTable("upserted", columns));
        second.executeSql("INSERT INTO upserted VALUES ('a', " + array(a2) + ", X'0a0b', 'm2', 7)").await();

        Map<String, Float[]> rows = realArrays("upserted", "embedding");
        assertThat(rows).containsOnlyKeys("a", "b");
        assertExactly(rows.get("a"), a2);
        assertExactly(rows.get("b"), b1);
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT id, codes, model, dims FROM upserted ORDER BY id")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBytes(2)).containsExactly(0x0a, 0x0b);
            assertThat(r.getString(3)).isEqualTo("m2");
            assertThat(r.getInt(4)).isEqualTo(7);
            assertThat(r.next()).isTrue();
            assertThat(r.getBytes(2)).containsExactly(1);
            assertThat(r.getString(3)).isEqualTo("m1");
        }
    }

    @Test
    void anArrayTheDialectCannotWriteIsRefusedAtPlanningNamingTheColumn() throws Exception {
        postgres.execute("CREATE TABLE stamps (id text PRIMARY KEY, seen timestamp[])");
        StreamTableEnvironment t = tables();
        t.executeSql(jdbcTable("stamps", "id STRING, seen ARRAY<TIMESTAMP(3)>, PRIMARY KEY (id) NOT ENFORCED"));
        assertThatThrownBy(() -> t.executeSql("INSERT INTO stamps VALUES ('x', ARRAY[TIMESTAMP '2026-01-01 00:00:00'])"))
                .hasStackTraceContaining("column 'seen'")
                .satisfies(e -> assertThat(rootOrSelf(e, ValidationException.class)).isNotNull());
    }

    private static Throwable rootOrSelf(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    @Test
    void javaJarRunsASqlScriptWithAStatementSetIntoPostgres(@TempDir Path dir) throws Exception {
        postgres.execute("CREATE TABLE script_vectors (id text PRIMARY KEY, embedding real[] NOT NULL,"
                + " model text NOT NULL, dims integer NOT NULL, dtype text NOT NULL,"
                + " updated_at timestamptz NOT NULL DEFAULT now())");
        Path script = dir.resolve("numbers-to-postgres.sql");
        Files.writeString(script, String.join("\n",
                "-- generated numbers into PostgreSQL; semicolons in comments; and strings must not split",
                "SET 'pipeline.name' = 'leaf-embed; it''s a test';",
                "/* the source: 200 numbers;",
                "   bounded, so the run ends */",
                "CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '200',",
                "  'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '200');",
                "CREATE TABLE vectors (id STRING, embedding ARRAY<FLOAT>, model STRING, dims INT, dtype STRING,",
                "  updated_at TIMESTAMP_LTZ(3),",
                "  PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'jdbc', 'url' = '" + postgres.url() + "',",
                "  'table-name' = 'script_vectors', " + credentials() + ");",
                "EXECUTE STATEMENT SET BEGIN",
                "  INSERT INTO vectors SELECT CAST(n AS STRING),",
                "    ARRAY[CAST(n AS FLOAT), CAST(-n AS FLOAT), CAST(n AS FLOAT) / CAST(3 AS FLOAT)], 'model;1', 3,",
                "    'float32', CURRENT_TIMESTAMP FROM numbers;",
                "  INSERT INTO vectors SELECT 'again-' || CAST(n AS STRING), ARRAY[CAST(n AS FLOAT)], 'model;1', 1,",
                "    'float32', CURRENT_TIMESTAMP FROM numbers WHERE n <= 10;",
                "END;",
                ""), StandardCharsets.UTF_8);
        // no restarts: a failing job would otherwise restart until the 3-minute limit
        JobJar.Run run = JobJar.run(null, "--sql", script.toString(), "--runtime.checkpoint-dir",
                dir.resolve("checkpoints").toString(), "--runtime.parallelism", "2",
                "--flink.restart-strategy.type", "none");
        assertThat(run.exitCode()).as(run.stderr()).isZero();

        Map<String, Float[]> rows = realArrays("script_vectors", "embedding");
        assertThat(rows).hasSize(210);
        for (int n = 1; n <= 200; n++) {
            assertExactly(rows.get(String.valueOf(n)), n, -n, (float) n / 3f);
        }
        for (int n = 1; n <= 10; n++) {
            assertExactly(rows.get("again-" + n), n);
        }
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM script_vectors WHERE model = 'model;1'"
                        + " AND updated_at > now() - interval '10 minutes' AND updated_at <= now()")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(210);
        }
    }

    @Test
    void javaJarRefusesAScriptStatementWithExitTwoNamingItsLine(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("broken.sql");
        Files.writeString(script, String.join("\n",
                "-- line 1",
                "CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5');",
                "CREATE TABLE out_table (n BIGINT) WITH ('connector' = 'no-such-connector');",
                "",
                "INSERT INTO out_table SELECT n FROM numbers;",
                ""), StandardCharsets.UTF_8);
        JobJar.Run run = JobJar.run(null, "--sql", script.toString(), "--runtime.checkpoint-dir",
                dir.resolve("checkpoints").toString());
        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr()).contains("broken.sql").contains("line 5").contains("no-such-connector");

        Files.writeString(script, "CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen');\n"
                + "CREATE TABLE oops (n BIGINT WITH ('connector' = 'blackhole');\n", StandardCharsets.UTF_8);
        JobJar.Run parse = JobJar.run(null, "--sql", script.toString(), "--runtime.checkpoint-dir",
                dir.resolve("checkpoints").toString());
        assertThat(parse.exitCode()).as(parse.stderr()).isEqualTo(2);
        assertThat(parse.stderr()).contains("broken.sql line 2").contains("CREATE TABLE oops");
    }

    /**
     * An embedded run checks, before it submits the job, what the script's tables and models
     * point at: without it a wrong broker address waits forever and a missing model directory
     * fails only in a task. Each refusal exits 2 naming the file, the CREATE statement's line and
     * the option.
     */
    @Test
    void javaJarChecksBrokersDatabaseAndModelBeforeSubmitting(@TempDir Path dir) throws Exception {
        int closed = FreePorts.next(); // nothing listens there
        Path exampleScript = JobJar.repoRoot().resolve("config/sql/kafka-to-postgres.sql");
        Path kafka = dir.resolve("kafka.sql");
        Files.writeString(kafka, Files.readString(exampleScript).replace("localhost:9092", "127.0.0.1:" + closed));
        JobJar.Run noBroker = JobJar.run(null, "--sql", kafka.toString(), "--runtime.checkpoint-dir",
                dir.resolve("cp1").toString(), "--kafka.startup-check-timeout-ms", "2000");
        assertThat(noBroker.exitCode()).as(noBroker.stderr()).isEqualTo(2);
        int textsLine = lineOf(kafka, "CREATE TABLE texts");
        assertThat(noBroker.stderr()).contains("kafka.sql line " + textsLine + ": table texts")
                .contains("'properties.bootstrap.servers' (127.0.0.1:" + closed + ") did not answer within 2000 ms");

        Path jdbc = dir.resolve("jdbc.sql");
        Files.writeString(jdbc, String.join("\n",
                "CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5');",
                "CREATE TABLE sink_table (n BIGINT, PRIMARY KEY (n) NOT ENFORCED) WITH ('connector' = 'jdbc',",
                "  'url' = 'jdbc:postgresql://127.0.0.1:" + closed + "/postgres', 'table-name' = 't', " + credentials() + ");",
                "INSERT INTO sink_table SELECT n FROM numbers;", ""), StandardCharsets.UTF_8);
        JobJar.Run noDatabase = JobJar.run(null, "--sql", jdbc.toString(), "--runtime.checkpoint-dir",
                dir.resolve("cp2").toString());
        assertThat(noDatabase.exitCode()).as(noDatabase.stderr()).isEqualTo(2);
        assertThat(noDatabase.stderr()).contains("jdbc.sql line 2: table sink_table: 'url'")
                .contains("refuses a connection");

        Path model = dir.resolve("model.sql");
        Path missing = dir.resolve("no-such-model");
        Files.writeString(model, String.join("\n",
                "CREATE TABLE texts (id STRING, text STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '5');",
                "CREATE TABLE vectors (id STRING, embedding ARRAY<FLOAT>) WITH ('connector' = 'blackhole');",
                "CREATE MODEL leaf INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>)",
                "  WITH ('provider' = 'leaf-embed', 'model.dir' = '" + missing + "');",
                "INSERT INTO vectors SELECT id, embedding FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text));",
                ""), StandardCharsets.UTF_8);
        JobJar.Run noModel = JobJar.run(null, "--sql", model.toString(), "--runtime.checkpoint-dir",
                dir.resolve("cp3").toString());
        assertThat(noModel.exitCode()).as(noModel.stderr()).isEqualTo(2);
        assertThat(noModel.stderr()).contains("model.sql line 3: model leaf cannot be used").contains(missing.toString());
    }

    private static int lineOf(Path file, String text) throws java.io.IOException {
        java.util.List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + file);
    }
}
