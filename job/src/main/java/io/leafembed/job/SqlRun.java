package io.leafembed.job;

import io.leafembed.job.config.ConfigException;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.sql.SqlScript;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.SqlParserException;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.CatalogManager;

/**
 * {@code --sql FILE}: runs a user's Flink SQL script in a StreamTableEnvironment, with the job's
 * checkpointing (exactly-once, {@code runtime.checkpoint-interval-ms}; with {@code java -jar},
 * retained in {@code runtime.checkpoint-dir} and resumed from there, as {@link KafkaRun} does)
 * and the {@code flink.*} keys. Whatever the jar carries is found through Flink's factory
 * discovery: the {@code leaf-embed} model provider for {@code CREATE MODEL ... WITH ('provider' =
 * 'leaf-embed')}, the Kafka, JDBC (PostgreSQL with {@code real[]}), datagen and print connectors,
 * the JSON format; {@code CREATE FUNCTION ... AS '<class>'} finds functions in the jar.
 *
 * <p>Statements run in order: SET and RESET change the table configuration, DDL runs at once,
 * and every INSERT of the script (loose, or in a statement set) joins one statement set that is
 * planned and submitted at the end as one job, so the script has one set of checkpoints to resume
 * from. A statement Flink refuses (parse, validation or planning error) is a configuration error:
 * exit 2 naming the file and line.
 */
public final class SqlRun {

    private static final Pattern SET = Pattern.compile("(?is)^SET\\s+'([^']+)'\\s*=\\s*'((?:[^']|'')*)'$");
    private static final Pattern RESET = Pattern.compile("(?is)^RESET\\s+'([^']+)'$");

    private SqlRun() {}

    static int run(JobConfig config) throws Exception {
        boolean embedded = StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
        config.warnings().forEach(w -> System.err.println("leaf-embed: warning: " + w));
        Path script = Path.of(config.get(JobOptions.SQL_FILE));
        List<SqlScript.Statement> statements = SqlScript.parse(read(script), script.toString());
        Configuration flink = embedded ? config.flinkConfiguration() : config.flinkOptions();
        int interval = config.get(JobOptions.RUNTIME_CHECKPOINT_INTERVAL_MS);
        if (interval > 0) {
            if (embedded) {
                RetainedCheckpoints.claim(config.checkpointDir(), "sql:" + script.toAbsolutePath().normalize());
                RetainedCheckpoints.prepare(flink, config.checkpointDir(), System.err);
            } else if (config.isSet(JobOptions.RUNTIME_CHECKPOINT_DIR)) {
                RetainedCheckpoints.retainIn(flink, config.get(JobOptions.RUNTIME_CHECKPOINT_DIR));
            }
        }
        if (embedded) {
            RunTempFolder temp = RunTempFolder.create();
            Runtime.getRuntime().addShutdownHook(new Thread(temp::delete, "leaf-embed temp cleanup"));
            RunTempFolder.useFor(flink, temp.path());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        if (config.isSet(JobOptions.RUNTIME_PARALLELISM)) {
            env.setParallelism(config.get(JobOptions.RUNTIME_PARALLELISM));
        }
        if (interval > 0) {
            env.enableCheckpointing(interval, CheckpointingMode.EXACTLY_ONCE);
        }
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        System.err.println("leaf-embed: running " + script + " (" + statements.size() + " statements)");
        // embedded: check brokers, databases and models first (a cluster's JobManager must not)
        SqlPreflight preflight = embedded ? new SqlPreflight(script.toString(),
                config.get(JobOptions.KAFKA_STARTUP_CHECK_TIMEOUT_MS), System.err) : null;
        TableResult result = execute(tables, statements, script.toString(), System.out, preflight);
        if (!embedded) {
            return ExitCodes.DONE; // submitted: the cluster runs the job
        }
        result.await();
        if (interval > 0) {
            RetainedCheckpoints.finished(config.checkpointDir(), System.err);
        }
        System.err.println("leaf-embed: " + script + " finished");
        return ExitCodes.DONE;
    }

    private static String read(Path script) {
        try {
            return Files.readString(script, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("'sql.file' " + script + " cannot be read: " + e);
        }
    }

    /**
     * Runs {@code statements} in {@code tables}: the non-INSERT ones in order, then all INSERTs
     * as one statement set. Output of SHOW, DESCRIBE, EXPLAIN goes to {@code out}.
     *
     * @return the submitted job's result
     * @throws ConfigException naming the file and line of a statement Flink refuses
     */
    public static TableResult execute(StreamTableEnvironment tables, List<SqlScript.Statement> statements, String source,
            PrintStream out) {
        return execute(tables, statements, source, out, null);
    }

    /** As {@link #execute(StreamTableEnvironment, List, String, PrintStream)}, with {@code preflight} (or null) run before submitting. */
    static TableResult execute(StreamTableEnvironment tables, List<SqlScript.Statement> statements, String source,
            PrintStream out, SqlPreflight preflight) {
        CatalogManager catalog = ((TableEnvironmentInternal) tables).getCatalogManager();
        List<SqlScript.Statement> inserts = new ArrayList<>();
        for (SqlScript.Statement s : statements) {
            switch (s.kind()) {
                case SET:
                    Matcher set = SET.matcher(s.sql());
                    if (!set.matches()) {
                        throw refused(source, s, "write SET 'key' = 'value'", null);
                    }
                    // the session configuration: EMBED() reads its 'leaf-embed.*' settings from it
                    tables.getConfig().set(set.group(1), set.group(2).replace("''", "'"));
                    break;
                case RESET:
                    Matcher reset = RESET.matcher(s.sql());
                    if (!reset.matches()) {
                        throw refused(source, s, "write RESET 'key'", null);
                    }
                    tables.getConfig().getConfiguration().removeKey(reset.group(1));
                    break;
                case INSERT:
                    inserts.add(s);
                    break;
                case QUERY:
                    throw refused(source, s, "a script writes its results with INSERT INTO; a bare query has"
                            + " nowhere to go (write INSERT INTO <table> SELECT ...)", null);
                default:
                    try {
                        Set<SqlPreflight.CatalogObject> before = preflight == null ? null : preflight.snapshot(catalog);
                        TableResult result = tables.executeSql(s.sql());
                        if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                            result.print();
                        }
                        if (preflight != null) {
                            preflight.recordCreated(catalog, before, s.line());
                        }
                    } catch (ValidationException | SqlParserException | TableException e) {
                        throw refused(source, s, message(e), e);
                    }
            }
        }
        if (inserts.isEmpty()) {
            throw new ConfigException(source + " has no INSERT INTO statement: there is nothing to run");
        }
        StatementSet set = tables.createStatementSet();
        for (SqlScript.Statement insert : inserts) {
            try {
                set.addInsertSql(insert.sql());
            } catch (ValidationException | SqlParserException | TableException e) {
                throw refused(source, insert, message(e), e);
            }
        }
        if (preflight != null) {
            preflight.check(catalog, tables.getConfig().getConfiguration());
        }
        try {
            return set.execute();
        } catch (ValidationException | SqlParserException e) {
            throw plan(source, inserts, e);
        } catch (TableException e) {
            if (String.valueOf(e.getMessage()).startsWith("Failed to execute sql")) {
                throw e; // planned, but the submission failed: not the script's fault
            }
            throw plan(source, inserts, e);
        }
    }

    private static ConfigException plan(String source, List<SqlScript.Statement> inserts, RuntimeException e) {
        return new ConfigException(source + ": planning the INSERT statement" + (inserts.size() == 1 ? " at line "
                : "s at lines ") + inserts.stream().map(i -> String.valueOf(i.line())).collect(Collectors.joining(", "))
                + " failed: " + message(e), e);
    }

    private static ConfigException refused(String source, SqlScript.Statement s, String why, Throwable cause) {
        return new ConfigException(source + " line " + s.line() + ": " + why + " (statement: " + s.head() + ")", cause);
    }

    /** The exception's message and its causes' (Flink's factory errors put the reason in a cause). */
    private static String message(Throwable e) {
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()).strip());
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !out.toString().contains(m.strip())) {
                out.append(": ").append(m.strip());
            }
        }
        return out.toString();
    }
}
