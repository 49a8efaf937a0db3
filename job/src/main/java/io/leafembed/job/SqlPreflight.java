package io.leafembed.job;

import io.leafembed.embed.Embedder;
import io.leafembed.job.config.ConfigException;
import io.leafembed.model.ModelLoadException;
import io.leafembed.sql.EmbedScalarFunction;
import io.leafembed.sql.EmbeddingSettings;
import io.leafembed.sql.LeafEmbedOptions;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogManager;
import org.apache.flink.table.catalog.ContextResolvedModel;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.UnresolvedIdentifier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/**
 * The start-up checks of the YAML job, for an embedded {@code --sql} run, applied to what the
 * script created before its job is submitted: every Kafka table's brokers answer ({@code
 * 'properties.bootstrap.servers'}, with the table's other {@code properties.*} for SASL/SSL),
 * every JDBC table's database accepts a connection ({@code 'url'}, {@code 'username'}, {@code
 * 'password'}), and every {@code leaf-embed} model (CREATE MODEL) and the session's {@code
 * leaf-embed.*} model for EMBED() opens. Without them a wrong broker address waits forever with a
 * warning a second and a missing model directory fails only inside a task. A failure is a {@link
 * ConfigException} (exit 2) naming the file, the line of the CREATE statement, the option and the
 * fix. A Kafka topic that does not exist is a warning only: a sink table may create it.
 *
 * <p>Not for a cluster submission: there main() runs in the JobManager, which must not load ONNX
 * Runtime and need not reach the brokers or the database.
 */
final class SqlPreflight {

    /** An object a statement of the script created. */
    private record Created(ObjectIdentifier id, boolean model, int line) {}

    private final String source;
    private final int timeoutMs;
    private final PrintStream log;
    private final List<Created> created = new ArrayList<>();

    /** @param timeoutMs the wait for brokers and databases ({@code kafka.startup-check-timeout-ms}); 0: no check */
    SqlPreflight(String source, int timeoutMs, PrintStream log) {
        this.source = source;
        this.timeoutMs = timeoutMs;
        this.log = log;
    }

    /** A table or model by the name the catalog lists it under. */
    record CatalogObject(String name, boolean model) {}

    /** What exists now, to be compared after the next statement by {@link #recordCreated}. */
    Set<CatalogObject> snapshot(CatalogManager catalog) {
        Set<CatalogObject> objects = new java.util.HashSet<>();
        catalog.listTables().forEach(t -> objects.add(new CatalogObject(t, false)));
        catalog.listModels().forEach(m -> objects.add(new CatalogObject(m, true)));
        return objects;
    }

    /** Remembers the tables and models that the statement at {@code line} added to {@code before}. */
    void recordCreated(CatalogManager catalog, Set<CatalogObject> before, int line) {
        for (CatalogObject object : snapshot(catalog)) {
            if (!before.contains(object)) {
                ObjectIdentifier id = catalog.qualifyIdentifier(UnresolvedIdentifier.of(object.name()));
                created.add(new Created(id, object.model(), line));
            }
        }
    }

    /** Runs the checks on everything the script created (and the session's EMBED() model). */
    void check(CatalogManager catalog, ReadableConfig session) {
        for (Created c : created) {
            if (c.model()) {
                catalog.getModel(c.id()).map(ContextResolvedModel::getResolvedModel)
                        .ifPresent(m -> checkModel(c, m.getOptions()));
            } else {
                catalog.getTable(c.id()).filter(t -> t.getTable() instanceof CatalogTable)
                        .ifPresent(t -> checkTable(c, ((CatalogTable) t.getTable()).getOptions()));
            }
        }
        boolean embedModel = session.toMap().keySet().stream()
                .anyMatch(k -> k.startsWith(LeafEmbedOptions.FUNCTION_PREFIX + "model."));
        if (embedModel) {
            try {
                open("the EMBED() model (SET 'leaf-embed.model...')", EmbedScalarFunction.settingsFrom(session));
            } catch (ValidationException | ModelLoadException e) {
                throw new ConfigException(source + ": the EMBED() model of the 'leaf-embed.*' settings cannot be"
                        + " used: " + e.getMessage());
            }
        }
    }

    private void checkTable(Created c, Map<String, String> options) {
        if (timeoutMs == 0) {
            return;
        }
        String connector = options.getOrDefault("connector", "");
        if (connector.equals("kafka") || connector.equals("upsert-kafka")) {
            checkKafka(c, options);
        } else if (connector.equals("jdbc")) {
            checkJdbc(c, options);
        }
    }

    private void checkKafka(Created c, Map<String, String> options) {
        String servers = options.get("properties.bootstrap.servers");
        if (servers == null) {
            return; // Flink refuses the table itself, naming the option
        }
        Properties properties = new Properties();
        options.forEach((key, value) -> {
            if (key.startsWith("properties.")) {
                properties.setProperty(key.substring("properties.".length()), value);
            }
        });
        properties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        properties.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "leaf-embed-sql-startup-check");
        try (Admin admin = Admin.create(properties)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes()
                    .get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
            Set<String> topics = admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs)).names()
                    .get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
            String topic = options.get("topic");
            if (topic != null) {
                List<String> missing = Arrays.stream(topic.split(";")).map(String::strip)
                        .filter(t -> !t.isEmpty() && !topics.contains(t)).toList();
                if (!missing.isEmpty()) {
                    log.println("leaf-embed: warning: " + where(c) + " reads or writes topic(s) " + missing
                            + " that do not exist on " + servers + ": a source waits for them, a sink creates"
                            + " them only where the brokers allow it");
                }
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new ConfigException(where(c) + ": 'properties.bootstrap.servers' (" + servers + ") did not"
                    + " answer within " + timeoutMs + " ms (" + KafkaPreflight.rootMessage(e) + "); start the brokers or fix the"
                    + " address ('kafka.startup-check-timeout-ms' sets the wait, 0 turns the check off)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while checking Kafka");
        }
    }

    private void checkJdbc(Created c, Map<String, String> options) {
        String url = options.get("url");
        if (url == null) {
            return;
        }
        Properties properties = new Properties();
        if (options.containsKey("username")) {
            properties.setProperty("user", options.get("username"));
        }
        if (options.containsKey("password")) {
            properties.setProperty("password", options.get("password"));
        }
        // PostgreSQL's driver reads both in seconds; other drivers ignore what they do not know
        String seconds = String.valueOf(Math.max(1, timeoutMs / 1000));
        properties.setProperty("loginTimeout", seconds);
        properties.setProperty("connectTimeout", seconds);
        try (Connection ignored = DriverManager.getConnection(url, properties)) {
            // it answers
        } catch (SQLException e) {
            throw new ConfigException(where(c) + ": 'url' (" + url + ") refuses a connection: " + e.getMessage()
                    + "; start the database or fix 'url', 'username' and 'password'");
        }
    }

    private void checkModel(Created c, Map<String, String> options) {
        if (!"leaf-embed".equalsIgnoreCase(options.get("provider"))) {
            return;
        }
        try {
            open(where(c), EmbeddingSettings.from(Configuration.fromMap(options), ""));
        } catch (ValidationException | ModelLoadException e) {
            throw new ConfigException(where(c) + " cannot be used: " + e.getMessage());
        }
    }

    private void open(String what, EmbeddingSettings settings) {
        try (Embedder embedder = Embedder.open(settings.embedder())) {
            log.printf("leaf-embed: %s: '%s', %d dims, max %d tokens%n", what, embedder.modelId(), embedder.dims(),
                    embedder.maxLength());
        }
    }

    private String where(Created c) {
        return source + " line " + c.line() + ": " + (c.model() ? "model " : "table ") + c.id().getObjectName();
    }
}
