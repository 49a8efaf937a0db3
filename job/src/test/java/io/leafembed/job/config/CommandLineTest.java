package io.leafembed.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.postprocess.Quantization;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

    @TempDir
    Path tmp;

    @Test
    void shortFlagsAndDottedKeysSetTheirKeys() {
        JobConfig config = CommandLine.parse(new String[] {
            "--input", "in.txt", "--quantization", "int8", "--truncate-dim=128", "--batching.window-size", "64"
        }).config();
        assertThat(config.get(JobOptions.INPUT_FILE)).isEqualTo("in.txt");
        assertThat(config.get(JobOptions.EMBEDDING_TRUNCATE_DIM)).isEqualTo(128);
        assertThat(config.get(JobOptions.BATCHING_WINDOW_SIZE)).isEqualTo(64);
        assertThat(config.get(JobOptions.BATCHING_MAX_WAIT_MS)).isEqualTo(50);
        EmbedderOptions options = config.embedderOptions(2);
        assertThat(options.quantization()).isEqualTo(Quantization.INT8);
        assertThat(options.bundledModel()).isEqualTo(JobConfig.BUNDLED_MODEL);
        assertThat(options.maxLength()).isEqualTo(256);
        // two cores for the instance: two runs at once of one thread each, unless configured
        assertThat(options.session().intraOpThreads()).isEqualTo(1);
        assertThat(options.session().parallelRuns()).isEqualTo(2);
        EmbedderOptions threads = CommandLine.parse(new String[] {"--threads", "2"}).config().embedderOptions(2);
        assertThat(threads.session().intraOpThreads()).isEqualTo(2);
        assertThat(threads.session().parallelRuns()).isEqualTo(1);
        EmbedderOptions runs = CommandLine.parse(new String[] {"--runtime.parallel-runs", "3"}).config().embedderOptions(1);
        assertThat(runs.session().parallelRuns()).isEqualTo(3);
    }

    @Test
    void commandLineOverridesTheYamlFile() throws Exception {
        Path yaml = tmp.resolve("job.yaml");
        Files.writeString(yaml, "embedding:\n  quantization: binary\n  truncate-dim: 256\nbatching:\n  max-wait-ms: 5\n");
        JobConfig config = CommandLine.parse(new String[] {"--config", yaml.toString(), "--truncate-dim", "64"}).config();
        assertThat(config.get(JobOptions.EMBEDDING_QUANTIZATION)).isEqualTo("binary");
        assertThat(config.get(JobOptions.EMBEDDING_TRUNCATE_DIM)).isEqualTo(64);
        assertThat(config.get(JobOptions.BATCHING_MAX_WAIT_MS)).isEqualTo(5);
    }

    @Test
    void unknownKeysAreRejectedWithTheClosestValidOne() throws Exception {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--quantisation", "int8"}))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown option --quantisation: did you mean --quantization?");
        Path yaml = tmp.resolve("typo.yaml");
        Files.writeString(yaml, "batching:\n  windw-size: 10\n");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--config", yaml.toString()}).config())
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown configuration key 'batching.windw-size': did you mean 'batching.window-size'?");
    }

    @Test
    void invalidValuesNameTheKeyTheRuleAndTheValue() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--truncate-dim", "0"}).config())
                .hasMessage("'embedding.truncate-dim' must be in [1, 65536] but was '0'");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--quantization", "int4"}).config())
                .hasMessage("'embedding.quantization' must be one of float32, int8, uint8, binary, ubinary but was 'int4'");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--batching.max-wait-ms", "soon"}).config())
                .hasMessage("'batching.max-wait-ms' must be a whole number but was 'soon'");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--runtime.cuda", "yes"}).config())
                .hasMessage("'runtime.cuda' must be true or false but was 'yes'");
    }

    @Test
    void modelChoicesMustNotContradictEachOther() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--model", "m", "--onnx", "x.onnx",
                "--tokenizer", "t.json"}).config())
                .hasMessageContaining("'model.dir' and 'model.onnx-file'/'model.tokenizer-file' exclude each other");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--onnx", "x.onnx"}).config())
                .hasMessageContaining("go together");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--onnx-variant", "int8"}).config())
                .hasMessageContaining("'model.onnx-variant' picks a graph under 'model.dir'");
    }

    private static JobConfig kafka(String... extra) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--kafka.bootstrap-servers", "b:9092",
                "--kafka.source.topics", "in", "--kafka.sink.topic", "out"));
        args.addAll(java.util.List.of(extra));
        return CommandLine.parse(args.toArray(String[]::new)).config();
    }

    @Test
    void kafkaRunsAreValidatedAsAWhole() {
        JobConfig ok = kafka("--kafka.properties.security.protocol", "SASL_SSL",
                "--kafka.properties.sasl.jaas.config", "secret");
        assertThat(ok.isKafka()).isTrue();
        assertThat(ok.exactlyOnce()).isTrue();
        assertThat(ok.deadLetterTopic()).isEqualTo("out-dead-letters");
        assertThat(ok.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(ok.describe()).containsEntry("kafka.properties.sasl.jaas.config", "***");
        assertThatThrownBy(() -> kafka("--runtime.checkpoint-interval-ms", "0"))
                .hasMessageContaining("exactly-once commits on checkpoints");
        assertThat(kafka("--runtime.checkpoint-interval-ms", "0", "--kafka.sink.delivery-guarantee", "at-least-once")
                .exactlyOnce()).isFalse();
        assertThatThrownBy(() -> kafka("--runtime.checkpoint-interval-ms", "60000",
                "--kafka.sink.transaction-timeout-ms", "30000"))
                .hasMessageContaining("'kafka.sink.transaction-timeout-ms' (30000) is shorter than"
                        + " 'runtime.checkpoint-interval-ms' (60000)");
        assertThatThrownBy(() -> kafka("--kafka.source.topic-pattern", "in-.*"))
                .hasMessageContaining("exactly one of 'kafka.source.topics' and 'kafka.source.topic-pattern'");
        assertThatThrownBy(() -> kafka("--input", "x.txt")).hasMessageContaining("'input.file' is for local runs");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--kafka.bootstrap-servers", "b:9092",
                "--kafka.source.topics", "in"}).config()).hasMessageContaining("needs 'kafka.sink.topic'");
    }

    @Test
    void aSharedModelOnAKafkaRunWithoutParallelRunsIsWarnedAbout() {
        assertThat(kafka("--runtime.share-model", "true").warnings()).singleElement().asString()
                .contains("'runtime.share-model' without 'runtime.parallel-runs'")
                .contains("set 'runtime.parallel-runs' to the TaskManager's cores");
        assertThat(kafka("--runtime.share-model", "true", "--runtime.parallel-runs", "4").warnings()).isEmpty();
        assertThat(kafka().warnings()).isEmpty();
        // a local run's shared model defaults to a run per core
        assertThat(CommandLine.parse(new String[] {"--runtime.share-model", "true"}).config().warnings()).isEmpty();
    }

    @Test
    void kafkaKeysWithoutABrokerAndRawOutputOfALocalRunAreErrors() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--kafka.sink.topic", "out"}).config())
                .hasMessageContaining("'kafka.sink.topic' needs 'kafka.bootstrap-servers'");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--encoding", "raw"}).config())
                .hasMessageContaining("'output.encoding' raw writes bare bytes to Kafka");
    }

    @Test
    void rolesCanHaveTheirOwnModelDirectory() throws Exception {
        Path yaml = tmp.resolve("asymmetric.yaml");
        Files.writeString(yaml, "model:\n  dir: /models/mxbai\n  query:\n    dir: /models/leaf\n"
                + "    onnx-variant: int8\n  max-length: 128\nembedding:\n  truncate-dim: 512\n");
        JobConfig config = CommandLine.parse(new String[] {"--config", yaml.toString()}).config();
        java.util.Map<String, EmbedderOptions> roles = config.roleEmbedderOptions(1);
        assertThat(roles).containsOnlyKeys("query");
        EmbedderOptions query = roles.get("query");
        assertThat(query.modelDir()).isEqualTo(Path.of("/models/leaf"));
        assertThat(query.onnxVariant()).isEqualTo("int8");
        assertThat(query.maxLength()).isEqualTo(128);
        assertThat(query.truncateDim()).isEqualTo(512);
        assertThat(config.embedderOptions(1).modelDir()).isEqualTo(Path.of("/models/mxbai"));
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--model.document.onnx-variant", "int8"}).config())
                .hasMessageContaining("set 'model.query.dir' / 'model.document.dir' too");
    }

    @Test
    void missingValuesAndStrayArgumentsAreErrors() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--input"}))
                .hasMessage("option --input needs a value (--input VALUE or --input=VALUE)");
        // the next option is not taken as the value
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--input", "--output", "out.jsonl"}))
                .hasMessage("option --input needs a value (--input VALUE or --input=VALUE)");
        assertThat(CommandLine.parse(new String[] {"--input", "-"}).config().get(JobOptions.INPUT_FILE)).isEqualTo("-");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"in.txt"}))
                .hasMessageContaining("unexpected argument 'in.txt'");
    }

    @Test
    void unknownOptionsWithoutAValueAreUnknownNotMissingTheirValue() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--input", "in.txt", "--verbose"}))
                .hasMessage("unknown option --verbose (see --help)");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--input", "in.txt", "--quantisation"}))
                .hasMessage("unknown option --quantisation: did you mean --quantization?");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--verbose", "--input", "in.txt"}))
                .hasMessage("unknown option --verbose (see --help)");
    }

    @Test
    void usageListsEveryKeyTheAllowedValuesKafkaPropertiesAndExitCodes() {
        String usage = CommandLine.usage();
        for (ConfigKey<?> key : JobOptions.ALL) {
            assertThat(usage).contains(key.name());
            if (!key.choices().isEmpty()) {
                assertThat(usage).contains("One of: " + String.join(", ", key.choices()) + ".");
            }
        }
        assertThat(usage).contains("One of: float32, int8, uint8, binary, ubinary.", "One of: auto, none, basic, extended, all.",
                "One of: json, base64, raw.", "kafka.properties.<name>", "input.skip-blank-lines",
                "Exit codes: 0 done; 1 the job failed", "2 invalid configuration", "130 stopped by Ctrl-C", "141 ");
        assertThat(CommandLine.parse(new String[] {"--help"}).helpRequested()).isTrue();
    }
}
