package io.leafembed.job.sink.jdbc;

import io.leafembed.function.EmbedResult;
import io.leafembed.job.config.ConfigException;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * The PostgreSQL table a Kafka run writes its results to ({@code sink.type: jdbc}): one row per
 * record id, upserted, so a replay after a failure (at-least-once delivery from the last
 * checkpoint) overwrites the rows it wrote before instead of adding rows.
 *
 * <pre>
 * CREATE TABLE embeddings (
 *   id         text PRIMARY KEY,
 *   embedding  real[] NOT NULL,      -- float32; bytea for int8, uint8, binary, ubinary codes
 *   model      text NOT NULL,
 *   dims       integer NOT NULL,
 *   dtype      text NOT NULL,        -- float32, int8, uint8, binary or ubinary
 *   updated_at timestamptz NOT NULL DEFAULT now());
 * </pre>
 *
 * <p>{@link #prepare} runs before the job starts: it connects, creates the table if {@code
 * sink.jdbc.create-table} asks, and checks the columns, the embedding column's type against
 * {@code embedding.quantization} and the unique index on id that the upsert needs, so a wrong
 * URL, password or table fails at startup (exit 2) rather than in a restart loop.
 */
public final class PostgresTable {

    private static final String DRIVER = "org.postgresql.Driver";
    private static final List<String> COLUMNS = List.of("id", "embedding", "model", "dims", "dtype", "updated_at");

    private final String url;
    private final String table;
    private final String user;
    private final String password;
    private final boolean floats;
    private final boolean createTable;
    private final JdbcExecutionOptions execution;

    private PostgresTable(String url, String table, String user, String password, boolean floats,
            boolean createTable, JdbcExecutionOptions execution) {
        this.url = url;
        this.table = table;
        this.user = user;
        this.password = password;
        this.floats = floats;
        this.createTable = createTable;
        this.execution = execution;
    }

    /** The table {@code config}'s sink.jdbc.* keys describe (a validated jdbc-sink configuration). */
    public static PostgresTable of(JobConfig config) {
        return new PostgresTable(config.get(JobOptions.SINK_JDBC_URL), config.get(JobOptions.SINK_JDBC_TABLE),
                config.get(JobOptions.SINK_JDBC_USER), config.jdbcPassword(),
                config.quantization().id().equals("float32"), config.get(JobOptions.SINK_JDBC_CREATE_TABLE),
                JdbcExecutionOptions.builder()
                        .withBatchSize(config.get(JobOptions.SINK_JDBC_BATCH_SIZE))
                        .withBatchIntervalMs(config.get(JobOptions.SINK_JDBC_BATCH_INTERVAL_MS))
                        .withMaxRetries(config.get(JobOptions.SINK_JDBC_MAX_RETRIES))
                        .build());
    }

    /** The table's DDL for this run's precision: real[] for float32 vectors, bytea for codes. */
    public String createStatement() {
        return "CREATE TABLE IF NOT EXISTS " + table + " (id text PRIMARY KEY, embedding "
                + (floats ? "real[]" : "bytea") + " NOT NULL, model text NOT NULL, dims integer NOT NULL,"
                + " dtype text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";
    }

    /** The upsert: a row per id, a replayed id overwrites its row (and its updated_at). */
    public String upsertStatement() {
        return "INSERT INTO " + table + " (id, embedding, model, dims, dtype, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding,"
                + " model = EXCLUDED.model, dims = EXCLUDED.dims, dtype = EXCLUDED.dtype,"
                + " updated_at = EXCLUDED.updated_at";
    }

    /** The sink: batched upserts, flushed at every checkpoint (at-least-once; idempotent by id). */
    public JdbcSink<EmbedResult> sink() {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder connection =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder().withUrl(url).withDriverName(DRIVER);
        if (user != null) {
            connection.withUsername(user);
        }
        if (password != null) {
            connection.withPassword(password);
        }
        return JdbcSink.<EmbedResult>builder()
                .withQueryStatement(upsertStatement(), new EmbeddingRowStatement())
                .withExecutionOptions(execution)
                .buildAtLeastOnce(connection.build());
    }

    /**
     * Connects, creates the table if asked, and checks that it can take this run's rows.
     *
     * @throws ConfigException naming the sink.jdbc.* key at fault and the fix
     */
    public void prepare(PrintStream log) {
        try (Connection connection = connect()) {
            if (createTable) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(createStatement());
                }
            }
            check(connection);
        } catch (SQLException e) {
            throw new ConfigException("'sink.jdbc.table' " + table + " at " + url + " cannot be prepared: "
                    + e.getMessage(), e);
        }
        log.println("leaf-embed: PostgreSQL table " + table + " ready (" + (floats ? "real[]" : "bytea")
                + " embeddings, upsert by id)");
    }

    private Connection connect() {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        try {
            return DriverManager.getConnection(url, properties);
        } catch (SQLException e) {
            throw new ConfigException("cannot connect to 'sink.jdbc.url' " + url + (user == null ? ""
                    : " as 'sink.jdbc.user' " + user) + ": " + e.getMessage()
                    + " (check the URL, the server, sink.jdbc.user and sink.jdbc.password / sink.jdbc.password-env)", e);
        }
    }

    private void check(Connection connection) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT a.attname, t.typname FROM pg_attribute a"
                + " JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(?) AND a.attnum > 0"
                + " AND NOT a.attisdropped")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    types.put(rows.getString(1), rows.getString(2));
                }
            }
        }
        if (types.isEmpty()) {
            throw new ConfigException("'sink.jdbc.table' " + table + " does not exist at " + url + ": create it (see"
                    + " README, \"Sink table: PostgreSQL\": " + createStatement() + ") or set 'sink.jdbc.create-table'"
                    + " true");
        }
        List<String> missing = new ArrayList<>(COLUMNS);
        missing.removeAll(types.keySet());
        if (!missing.isEmpty()) {
            throw new ConfigException("'sink.jdbc.table' " + table + " lacks the column(s) " + String.join(", ", missing)
                    + "; the sink writes " + String.join(", ", COLUMNS) + " (see README, \"Sink table: PostgreSQL\")");
        }
        String embedding = types.get("embedding");
        // real[] is _float4; pgvector's vector takes real[] through its assignment cast
        boolean fits = floats ? embedding.equals("_float4") || embedding.equals("vector") : embedding.equals("bytea");
        if (!fits) {
            throw new ConfigException("'sink.jdbc.table' " + table + " has an embedding column of type " + embedding
                    + ", but 'embedding.quantization' " + (floats ? "float32 writes real[] (or a pgvector vector)"
                            : "writes codes as bytea") + ": use another table or change the column");
        }
        try (PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                + " WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indnkeyatts = 1 AND a.attname = 'id'")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                if (rows.getLong(1) == 0) {
                    throw new ConfigException("'sink.jdbc.table' " + table + " has no primary key or unique index on"
                            + " id alone, which the upsert (ON CONFLICT (id)) needs: ALTER TABLE " + table
                            + " ADD PRIMARY KEY (id)");
                }
            }
        }
    }
}
