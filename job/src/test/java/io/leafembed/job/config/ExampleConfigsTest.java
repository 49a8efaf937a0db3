package io.leafembed.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example configuration shipped in config/ loads through the real loader (the same path as
 * {@code --config FILE}) and passes validation, so a README command that uses one cannot exit 2.
 */
class ExampleConfigsTest {

    private static final Path CONFIG_DIR = Path.of("..", "config");

    @TempDir
    Path tmp;

    private static List<Path> examples() throws Exception {
        try (Stream<Path> files = Files.list(CONFIG_DIR)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @Test
    void everyExampleConfigLoadsAndValidates() throws Exception {
        List<Path> examples = examples();
        assertThat(examples).extracting(p -> p.getFileName().toString()).contains("kafka.yaml", "local.yaml");
        for (Path example : examples) {
            JobConfig config = CommandLine.parse(new String[] {"--config", example.toString()}).config();
            assertThat(config.describe()).as("%s", example).isNotEmpty();
            assertThat(config.warnings()).as("%s", example).isEmpty();
        }
    }

    @Test
    void theKafkaExampleIsAKafkaJobWhoseDeadLettersFollowTheSinkTopic() {
        String kafka = CONFIG_DIR.resolve("kafka.yaml").toString();
        JobConfig config = CommandLine.parse(new String[] {"--config", kafka}).config();
        assertThat(config.isKafka()).isTrue();
        assertThat(config.deadLetterTopic()).isEqualTo("texts-embedded-dead-letters");
        JobConfig moved = CommandLine.parse(new String[] {"--config", kafka, "--kafka.sink.topic", "vectors"}).config();
        assertThat(moved.deadLetterTopic()).isEqualTo("vectors-dead-letters");
    }

    @Test
    void theLocalExampleIsALocalRun() {
        JobConfig config = CommandLine.parse(new String[] {"--config", CONFIG_DIR.resolve("local.yaml").toString()}).config();
        assertThat(config.isKafka()).isFalse();
        assertThat(Path.of("..").resolve(config.get(JobOptions.INPUT_FILE))).isRegularFile();
    }

    @Test
    void emptySectionsAreAcceptedButAnEmptyUnknownKeyIsNot() throws Exception {
        Path yaml = tmp.resolve("empty-sections.yaml");
        Files.writeString(yaml, "model:\n  # dir: /opt/models/x\nembedding:\nkafka:\n  properties:\nflink:\n"
                + "batching:\n  window-size: 8\n");
        JobConfig config = JobConfig.load(yaml, Map.of());
        assertThat(config.get(JobOptions.BATCHING_WINDOW_SIZE)).isEqualTo(8);
        assertThat(config.isSet(JobOptions.MODEL_DIR)).isFalse();

        Path typo = tmp.resolve("typo.yaml");
        Files.writeString(typo, "modle:\n  # dir: x\n");
        assertThatThrownBy(() -> JobConfig.load(typo, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown configuration key 'modle'");
    }
}
