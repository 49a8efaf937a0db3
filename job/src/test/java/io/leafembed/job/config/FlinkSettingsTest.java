package io.leafembed.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flink's own keys: flink.* from YAML and the command line, $FLINK_CONF_DIR, and their checks. */
class FlinkSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void flinkKeysFromYamlAndCommandLineLandInFlinksConfiguration() throws Exception {
        Path yaml = tmp.resolve("job.yaml");
        Files.writeString(yaml, "flink:\n  restart-strategy:\n    type: fixed-delay\n    fixed-delay.attempts: 7\n"
                + "  state.backend.type: hashmap\n");
        JobConfig config = CommandLine.parse(new String[] {"--config", yaml.toString(),
            "--flink.state.backend.type", "rocksdb", "--flink.restart-strategy.fixed-delay.delay=3 s"}).config();
        Configuration flink = config.flinkOptions();
        assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb"); // the command line wins
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS)).isEqualTo(7);
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY)).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.describe()).containsEntry("flink.state.backend.type", "rocksdb");
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void flinkConfDirIsTheBaseAndFlinkKeysOverrideIt() throws Exception {
        Files.writeString(tmp.resolve("config.yaml"), "taskmanager:\n  memory:\n    managed:\n      size: 64m\n"
                + "restart-strategy:\n  type: none\n");
        Configuration flink = FlinkSettings.embedded(tmp.toString(), Map.of("restart-strategy.type", "fixed-delay"));
        assertThat(flink.get(TaskManagerOptions.MANAGED_MEMORY_SIZE)).isEqualTo(MemorySize.parse("64m"));
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(FlinkSettings.embedded(null, Map.of()).keySet()).isEmpty();
        assertThatThrownBy(() -> FlinkSettings.embedded(tmp.resolve("nowhere").toString(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("FLINK_CONF_DIR is ")
                .hasMessageContaining("config.yaml does not exist");
    }

    @Test
    void typedFlinkKeysAreParsedAtStartupNamingTheKey() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--flink.restart-strategy.fixed-delay.attempts",
                "many"}).config())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("'flink.restart-strategy.fixed-delay.attempts' is not a valid value for"
                        + " Flink's option 'restart-strategy.fixed-delay.attempts' but was 'many'");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--flink.taskmanager.memory.managed.size",
                "lots"}).config())
                .hasMessageStartingWith("'flink.taskmanager.memory.managed.size' is not a valid value");
    }

    @Test
    void flinkKeysThatLeafEmbedSetsAreRefusedWithTheKeyToUse() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--flink.parallelism.default", "4"}).config())
                .hasMessage("'flink.parallelism.default' is set by leaf-embed from 'runtime.parallelism': set"
                        + " 'runtime.parallelism' instead");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--flink.execution.checkpointing.interval", "5 s"})
                .config()).hasMessageContaining("set 'runtime.checkpoint-interval-ms' instead");
        // a deprecated name of the same option is the same option
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--flink.state.checkpoints.dir", "/tmp/x"}).config())
                .hasMessageContaining("set 'runtime.checkpoint-dir' instead");
    }

    @Test
    void unknownFlinkKeysPassThroughWithAWarningThatSuggestsTheClosestKey() {
        JobConfig config = CommandLine.parse(new String[] {"--flink.metrics.reporter.prom.port", "9250",
            "--flink.state.backend.typ", "rocksdb"}).config();
        assertThat(config.flinkOptions().toMap()).containsEntry("metrics.reporter.prom.port", "9250")
                .containsEntry("state.backend.typ", "rocksdb");
        assertThat(config.warnings()).hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("'flink.state.backend.typ'")
                        .contains("did you mean 'flink.state.backend.type'?"));
    }
}
