package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across a crash of the {@code java -jar} process, as a user meets it: the shipped
 * config/kafka.yaml plus command-line overrides, the job jar as a separate process, SIGKILL
 * right after a checkpoint committed results (with a transaction open), then the very same
 * command again. Every id must reach a read_committed consumer exactly once, and the killed
 * run's open transactions must be aborted by the restart instead of blocking read_committed
 * readers for the transaction timeout (15 minutes in kafka.yaml).
 */
class CrashRecoveryITCase {

    /** Enough for several 1 s checkpoints before the job could finish on its own. */
    private static final int RECORDS = 1_500;
    private static final Duration RUN_LIMIT = Duration.ofMinutes(5);

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    private static List<Map.Entry<String, byte[]>> records(int n) {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String value = "{\"id\": \"" + i + "\", \"text\": \"crash test record " + i + " about recovery"
                    + " and checkpoints".repeat(i % 5) + "\"}";
            records.add(new AbstractMap.SimpleEntry<>("k" + i, value.getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<Path> completedCheckpoints(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().equals("_metadata")).toList();
        }
    }

    @Test
    void aJobKilledAfterACommitAndStartedAgainGivesEveryIdExactlyOnce(@TempDir Path tmp) throws Exception {
        kafka.createTopic("texts", 2);
        kafka.createTopic("vectors", 2);
        kafka.produce("texts", records(RECORDS));
        Path checkpoints = tmp.resolve("checkpoints");
        String[] command = {"--config", "config/kafka.yaml",
            "--kafka.bootstrap-servers", kafka.bootstrapServers(),
            "--kafka.source.topics", "texts", "--kafka.sink.topic", "vectors",
            "--kafka.source.group-id", "crash-test", "--kafka.source.bounded", "true",
            "--runtime.parallelism", "2", "--runtime.checkpoint-interval-ms", "1000",
            "--runtime.checkpoint-dir", checkpoints.toString(),
            // small windows: results trickle out between checkpoints, so the kill lands mid-stream
            "--batching.window-size", "32", "--batching.max-batch-size", "16",
            // small fetches: the source reader is backpressured by the model most of the run, as a
            // long backlog would make it, so its consumer-group offsets lag the committed results
            "--kafka.properties.max.poll.records", "50",
            // a failure inside the job ends the process instead of restarting in it
            "--flink.restart-strategy.type", "none"};

        // run 1: wait for committed results and a transaction still open behind them, then SIGKILL
        Path out1 = tmp.resolve("run1.out");
        Path err1 = tmp.resolve("run1.err");
        Process first = JobJar.start(out1, err1, command);
        first.getOutputStream().close();
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        Map<TopicPartition, Long> endAtKill;
        try (KafkaConsumer<byte[], byte[]> committedView = kafka.consumer("read_committed");
                KafkaConsumer<byte[], byte[]> logView = kafka.consumer("read_uncommitted")) {
            while (true) {
                if (!first.isAlive()) {
                    fail("run 1 ended (exit " + first.exitValue() + ") before it could be killed; raise RECORDS:\n"
                            + Files.readString(err1));
                }
                if (System.nanoTime() > deadline) {
                    first.destroyForcibly();
                    fail("run 1 committed too little in " + RUN_LIMIT + ":\n" + Files.readString(err1));
                }
                // kill within milliseconds of a commit, when a third of the results are committed
                // (several checkpoints in) and a transaction is open with more: the source's own
                // offset commit for that checkpoint is typically still queued behind a blocked fetch
                Map<TopicPartition, Long> committed = KafkaBroker.endOffsets(committedView, "vectors");
                Map<TopicPartition, Long> end = KafkaBroker.endOffsets(logView, "vectors");
                if (sum(committed) > RECORDS / 3 && sum(end) > sum(committed)) {
                    first.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no cancellation
                    endAtKill = end;
                    break;
                }
                Thread.sleep(2);
            }
        }
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // the dead-letter topic is missing: the start-up check creates it and waits for its leader
        assertThat(Files.readString(err1)).contains("leaf-embed: created the output topic 'vectors-dead-letters'");
        int committedAtKill = kafka.readCommitted("vectors").size();
        System.out.printf("crash test: killed run 1 with %d of %d results committed, log end %d%n",
                committedAtKill, RECORDS, sum(endAtKill));
        assertThat(committedAtKill).isBetween(1, RECORDS - 1);
        assertThat(completedCheckpoints(checkpoints)).as("a completed checkpoint was kept on disk").isNotEmpty();

        // run 2: the same command
        Path out2 = tmp.resolve("run2.out");
        Path err2 = tmp.resolve("run2.err");
        long restart = System.nanoTime();
        Process second = JobJar.start(out2, err2, command);
        second.getOutputStream().close();
        // the killed run's open transactions hold back read_committed readers until someone aborts them
        double unblockedAfter = -1;
        long nextReport = System.nanoTime();
        while (second.isAlive() && System.nanoTime() - restart < RUN_LIMIT.toNanos()) {
            if (System.nanoTime() >= nextReport) {
                System.out.printf("crash test: run 2 at %.0f s: stable offsets %s, log end %s%n",
                        (System.nanoTime() - restart) / 1e9, kafka.endOffsets("vectors", "read_committed"),
                        kafka.endOffsets("vectors", "read_uncommitted"));
                nextReport = System.nanoTime() + 10_000_000_000L;
            }
            if (unblockedAfter < 0) {
                Map<TopicPartition, Long> stable = kafka.endOffsets("vectors", "read_committed");
                if (endAtKill.entrySet().stream().allMatch(e -> stable.get(e.getKey()) >= e.getValue())) {
                    unblockedAfter = (System.nanoTime() - restart) / 1e9;
                }
            }
            Thread.sleep(100);
        }
        if (second.isAlive()) {
            new ProcessBuilder("jcmd", String.valueOf(second.pid()), "Thread.print").inheritIO().start().waitFor();
            second.destroyForcibly();
            fail("run 2 did not finish in " + RUN_LIMIT + ":\n" + Files.readString(err2));
        }
        String log2 = Files.readString(err2);
        assertThat(second.exitValue()).as("run 2 exit code; its log:\n%s", log2).isZero();
        assertThat(log2).contains("resuming from checkpoint");
        // finished: nothing left to resume from, so the same command later cannot repeat this run's work
        assertThat(completedCheckpoints(checkpoints)).as("checkpoints left after the bounded run finished").isEmpty();
        try (KafkaConsumer<byte[], byte[]> group = kafka.consumer("read_committed")) {
            Map<TopicPartition, Long> inputEnd = KafkaBroker.endOffsets(group, "texts");
            Map<TopicPartition, Long> groupOffsets = kafka.groupOffsets("crash-test", inputEnd.keySet());
            System.out.printf("crash test: group offsets after the finish %s, input end %s%n", groupOffsets, inputEnd);
            assertThat(groupOffsets).as("the group's offsets, where the next start begins").isEqualTo(inputEnd);
        }

        List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted("vectors");
        Map<String, Integer> copies = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            copies.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        long duplicates = out.size() - copies.size();
        long missing = RECORDS - copies.size();
        System.out.printf("crash test: after the restart %d results, %d ids, %d duplicates, %d missing;"
                + " read_committed unblocked %.1f s after the restart%n", out.size(), copies.size(), duplicates,
                missing, unblockedAfter);
        assertThat(duplicates).as("duplicated results").isZero();
        for (int i = 0; i < RECORDS; i++) {
            assertThat(copies).containsEntry(String.valueOf(i), 1);
        }
        // the restart, not the 15-minute transaction timeout, released the killed run's transactions
        assertThat(unblockedAfter).isBetween(0.0, 120.0);
    }
}
