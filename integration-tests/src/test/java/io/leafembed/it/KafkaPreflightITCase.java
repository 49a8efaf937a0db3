package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.job.KafkaPreflight;
import io.leafembed.job.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka misconfiguration fails the job jar in seconds with exit 2 and the key to fix, before any
 * model is loaded (the checks run first), instead of a job that restarts forever. The broker
 * here does not create topics on first use, as many production clusters are set up.
 */
class KafkaPreflightITCase {

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start(Map.of("auto.create.topics.enable", "false"));
        kafka.createTopic("pre-in", 1);
        kafka.createTopic("pre-out", 1);
        kafka.createTopic("pre-out-dead-letters", 1);
        kafka.createTopic("pre-small", 1, Map.of("max.message.bytes", "100000"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    /** Runs the job jar with a Kafka configuration plus {@code extra} key/value pairs. */
    private static JobJar.Run run(String servers, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--kafka.bootstrap-servers", servers,
                "--kafka.source.topics", "pre-in", "--kafka.sink.topic", "pre-out"));
        args.addAll(List.of(extra));
        long start = System.nanoTime();
        JobJar.Run run = JobJar.run(null, args.toArray(String[]::new));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s -> exit %d in %.1f s%n", args, run.exitCode(), seconds);
        assertThat(seconds).as("seconds to fail").isLessThan(30);
        assertThat(run.stderr()).as("no model was loaded").doesNotContain("leaf-embed: model '");
        return run;
    }

    @Test
    void unreachableBrokersExitTwoNamingBootstrapServers() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        JobJar.Run run = run("127.0.0.1:" + port);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("'kafka.bootstrap-servers' 127.0.0.1:" + port);
    }

    @Test
    void aMissingInputTopicExitsTwoNamingSourceTopics() throws Exception {
        JobJar.Run run = run(kafka.bootstrapServers(), "--kafka.source.topics", "pre-in,no-such-topic");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("'kafka.source.topics'").contains("no-such-topic").doesNotContain("pre-in,");
    }

    @Test
    void aMissingOutputTopicTheBrokersWillNotCreateExitsTwoNamingTheKey() throws Exception {
        JobJar.Run run = run(kafka.bootstrapServers(), "--kafka.sink.dead-letter-topic", "no-such-dead-letters");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("'kafka.sink.dead-letter-topic' is 'no-such-dead-letters'")
                .contains("auto.create.topics.enable=false");
    }

    @Test
    void aTransactionTimeoutAboveTheBrokersMaximumExitsTwoNamingKeyAndBrokerValue() throws Exception {
        JobJar.Run run = run(kafka.bootstrapServers(), "--kafka.sink.transaction-timeout-ms", "1000000");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("'kafka.sink.transaction-timeout-ms' is 1000000")
                .contains("transaction.max.timeout.ms is 900000");
    }

    @Test
    void anOutputTopicSmallerThanTheProducerLimitIsRefusedAndAGoodSetupPasses() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JobConfig small = JobConfig.of(Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                "kafka.source.topics", "pre-in", "kafka.sink.topic", "pre-small",
                "kafka.sink.dead-letter-topic", "pre-out-dead-letters"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaPreflight.check(small, new PrintStream(log)))
                .hasMessageContaining("'pre-small'").hasMessageContaining("'kafka.properties.max.request.size'");
        JobConfig good = JobConfig.of(Map.of("kafka.bootstrap-servers", kafka.bootstrapServers(),
                "kafka.source.topics", "pre-in", "kafka.sink.topic", "pre-out"));
        KafkaPreflight.check(good, new PrintStream(log));
    }

    @Test
    void aGoodBoundedRunPrintsASummary(@TempDir Path checkpoints) throws Exception {
        kafka.createTopic("pre-run-in", 1);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(Map.entry("r" + i, ("{\"id\": \"r" + i + "\", \"text\": \"text number " + i + "\"}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        records.add(Map.entry("bad", "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        kafka.produce("pre-run-in", records);
        // the output topics do not exist, and this broker does not create them: the job does not start
        JobJar.Run refused = JobJar.run(null, "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--kafka.source.topics", "pre-run-in", "--kafka.sink.topic", "pre-run-out");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr()).contains("'kafka.sink.topic' is 'pre-run-out'");
        kafka.createTopic("pre-run-out", 1);
        kafka.createTopic("pre-run-out-dead-letters", 1);
        JobJar.Run run = JobJar.run(null, "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--kafka.source.topics", "pre-run-in", "--kafka.sink.topic", "pre-run-out",
                "--kafka.source.bounded", "true", "--runtime.checkpoint-interval-ms", "1000",
                // not the default under the working directory: a leftover would be resumed next time
                "--runtime.checkpoint-dir", checkpoints.toString());
        System.out.println(run.stderr());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("leaf-embed: done: 21 records in, 20 embedded, 1 dead letters");
        assertThat(run.stderr()).doesNotContain("Name collision");
        // the end of a bounded run used to print a declined checkpoint (a closing task) with a trace
        assertThat(run.stderr()).doesNotContain("task is closing").doesNotContain("Failed to trigger or complete");
        assertThat(kafka.readCommitted("pre-run-out")).hasSize(20);
        assertThat(kafka.readCommitted("pre-run-out-dead-letters")).hasSize(1);
    }
}
