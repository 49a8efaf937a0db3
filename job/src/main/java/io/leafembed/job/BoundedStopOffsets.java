package io.leafembed.job;

import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a bounded {@code java -jar} run stops reading: the input partitions' latest committed
 * offsets when the run first started, kept next to its checkpoints so that a run resumed after a
 * crash knows them too. When the run has finished, {@link GroupOffsetsAfterBoundedRun} moves the
 * consumer group at least this far: a partition finished before a crash is not read again by the
 * resumed run (so its records do not show in what that run consumed), and the group offset the
 * killed run committed for it may lag.
 */
final class BoundedStopOffsets {

    static final String FILE = "bounded-stop-offsets.properties";
    private static final long TIMEOUT_MS = 10_000;

    private BoundedStopOffsets() {}

    /**
     * The stop offsets ({@code topic-partition} to offset) of this run: read from {@code dir} when
     * resuming and recorded there, else looked up now and recorded. Empty if they cannot be
     * known (the run goes on; only the group offsets after it may lag).
     */
    static Map<String, Long> forRun(JobConfig config, Path dir, boolean resuming, PrintStream log) {
        Path file = dir.resolve(FILE);
        try {
            if (resuming && Files.exists(file)) {
                return read(file);
            }
            Map<String, Long> latest = latest(config);
            write(file, latest);
            return latest;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.println("leaf-embed: warning: could not record where this bounded run stops (" + e + ")");
            return Map.of();
        }
    }

    /** Forgets the file once the run has finished: the next run starts afresh. */
    static void forget(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(FILE));
        } catch (IOException e) {
            // a stale file is only read by a resumed run, and there is none to resume now
        }
    }

    private static Map<String, Long> latest(JobConfig config) throws Exception {
        Properties properties = KafkaPreflight.adminProperties(config, "leaf-embed-stop-offsets", TIMEOUT_MS);
        try (Admin admin = Admin.create(properties)) {
            List<String> topics;
            if (config.isSet(JobOptions.KAFKA_SOURCE_TOPICS)) {
                topics = config.sourceTopics();
            } else {
                Pattern pattern = Pattern.compile(config.get(JobOptions.KAFKA_SOURCE_TOPIC_PATTERN));
                topics = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).stream()
                        .filter(t -> pattern.matcher(t).matches()).toList();
            }
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicDescription topic : admin.describeTopics(topics).allTopicNames()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).values()) {
                topic.partitions().forEach(p -> request.put(new TopicPartition(topic.name(), p.partition()),
                        OffsetSpec.latest()));
            }
            Map<String, Long> out = new HashMap<>();
            // read_committed, as the source reads: the stable offset, past the last committed record
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> out.put(tp.topic() + "-" + tp.partition(), info.offset()));
            return out;
        }
    }

    private static Map<String, Long> read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, Long> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, Long.parseLong(p.getProperty(k))));
        return out;
    }

    private static void write(Path file, Map<String, Long> offsets) throws IOException {
        Properties p = new Properties();
        offsets.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "where this bounded leaf-embed run stops reading (latest committed offsets at its first start)");
        }
    }
}
