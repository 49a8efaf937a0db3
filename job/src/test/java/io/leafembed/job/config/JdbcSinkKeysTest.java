package io.leafembed.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sink.* keys of the PostgreSQL sink and the --sql mode's keys, checked in JobConfig. */
class JdbcSinkKeysTest {

    private static Map<String, String> jdbcRun() {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap-servers", "localhost:9092");
        settings.put("kafka.source.topics", "texts");
        settings.put("kafka.sink.dead-letter-topic", "texts-dead");
        settings.put("sink.type", "jdbc");
        settings.put("sink.jdbc.url", "jdbc:postgresql://localhost:5432/db");
        return settings;
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> out = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                out.remove(keyValues[i]);
            } else {
                out.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return out;
    }

    private static void refused(Map<String, String> settings, String... parts) {
        assertThatThrownBy(() -> JobConfig.of(settings)).isInstanceOf(ConfigException.class)
                .hasMessageContainingAll(parts);
    }

    @Test
    void aValidJdbcRunNamesItsTableAsTheResultsTarget() {
        JobConfig config = JobConfig.of(with(jdbcRun(), "sink.jdbc.table", "public.leaf_vectors",
                "sink.jdbc.password", "secret"));
        assertThat(config.isJdbcSink()).isTrue();
        assertThat(config.resultsTarget()).isEqualTo("public.leaf_vectors");
        assertThat(config.jdbcPassword()).isEqualTo("secret");
        assertThat(config.checkpointDir()).endsWith("public.leaf_vectors@leaf-embed");
        assertThat(config.describe().get("sink.jdbc.password")).isEqualTo("***");
        assertThat(config.get(JobOptions.SINK_JDBC_BATCH_SIZE)).isEqualTo(500);
    }

    @Test
    void jdbcRunsNeedAPostgresUrlAndADeadLetterTopicAndNoSinkTopic() {
        refused(with(jdbcRun(), "sink.jdbc.url", null), "'sink.jdbc.url'", "jdbc:postgresql://");
        refused(with(jdbcRun(), "sink.jdbc.url", "jdbc:mysql://h/db"), "'sink.jdbc.url'", "jdbc:postgresql:",
                "jdbc:mysql://h/db");
        refused(with(jdbcRun(), "kafka.sink.dead-letter-topic", null), "'kafka.sink.dead-letter-topic'");
        refused(with(jdbcRun(), "kafka.sink.topic", "out"), "'kafka.sink.topic'", "sink.jdbc.table");
        refused(with(jdbcRun(), "output.encoding", "raw"), "'output.encoding'", "drop the key");
    }

    @Test
    void theTableNameCannotCarrySql() {
        refused(with(jdbcRun(), "sink.jdbc.table", "t; DROP TABLE users"), "'sink.jdbc.table'", "t; DROP TABLE users");
        refused(with(jdbcRun(), "sink.jdbc.table", "a.b.c"), "'sink.jdbc.table'");
    }

    @Test
    void passwordSourcesExcludeEachOtherAndTheVariableMustExist() {
        refused(with(jdbcRun(), "sink.jdbc.password", "x", "sink.jdbc.password-env", "PATH"),
                "'sink.jdbc.password'", "'sink.jdbc.password-env'");
        refused(with(jdbcRun(), "sink.jdbc.password-env", "LEAF_EMBED_NO_SUCH_VARIABLE_42"),
                "'sink.jdbc.password-env'", "LEAF_EMBED_NO_SUCH_VARIABLE_42", "not set");
        assertThat(JobConfig.of(with(jdbcRun(), "sink.jdbc.password-env", "PATH")).jdbcPassword())
                .isEqualTo(System.getenv("PATH"));
    }

    @Test
    void jdbcKeysWithoutTheJdbcSinkOrWithoutKafkaAreRefused() {
        Map<String, String> kafkaSink = with(jdbcRun(), "sink.type", null, "kafka.sink.topic", "out");
        refused(kafkaSink, "'sink.jdbc.url'", "sink.type");
        assertThat(JobConfig.of(with(kafkaSink, "sink.jdbc.url", null)).isJdbcSink()).isFalse();
        refused(Map.of("sink.type", "jdbc", "sink.jdbc.url", "jdbc:postgresql://h/db"), "'sink.type' jdbc",
                "'kafka.bootstrap-servers'");
        refused(Map.of("sink.jdbc.batch-size", "10"), "'sink.jdbc.batch-size'", "Kafka");
        refused(with(jdbcRun(), "sink.jdbc.batch-size", "0"), "'sink.jdbc.batch-size'", "[1, 100000]");
        refused(with(jdbcRun(), "sink.type", "mysql"), "'sink.type'", "kafka, jdbc");
    }

    @Test
    void aSqlScriptTakesOnlyTheJobShapingKeys() {
        JobConfig sql = JobConfig.of(Map.of("sql.file", "config/sql/x.sql", "runtime.checkpoint-dir", "/tmp/c",
                "runtime.parallelism", "2", "flink.pipeline.name", "n"));
        assertThat(sql.isSqlScript()).isTrue();
        assertThat(JobConfig.of(Map.of("sql.file", "config/sql/kafka-to-postgres.sql")).checkpointDir())
                .endsWith("sql@kafka-to-postgres.sql");
        refused(Map.of("sql.file", "x.sql", "model.dir", "/models/leaf"), "'model.dir'", "CREATE MODEL");
        refused(Map.of("sql.file", "x.sql", "kafka.bootstrap-servers", "h:1"), "'kafka.bootstrap-servers'", "--sql");
        refused(Map.of("sql.file", "x.sql", "kafka.properties.security.protocol", "SSL"), "'kafka.properties.*'");
        refused(Map.of("sql.file", " "), "'sql.file'");
    }

    @Test
    void theSqlFlagSetsTheKey() {
        assertThat(CommandLine.parse(new String[] {"--sql", "config/sql/a.sql"}).config().isSqlScript()).isTrue();
    }
}
