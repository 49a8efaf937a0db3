package io.leafembed.job;

import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.source.ConsumedOffsets;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * After a bounded {@code java -jar} Kafka run has finished, moves the consumer group's offsets up
 * to where the run stopped reading in each partition (just after the last record it read, or its
 * stop offset), where they are behind.
 *
 * <p>Why: the run keeps no checkpoint once it has finished (see {@link RetainedCheckpoints}), so
 * the next start begins at the group's offsets. The Kafka source commits those asynchronously
 * when a checkpoint completes, and the commit of the final checkpoint can be cut off by the job's
 * shutdown (seen: 3 records behind in one partition), which would make the next run embed and
 * write those records again. Every record the finished run read is in its committed output, so
 * the group may safely point after it. Offsets are only ever moved forward; a failure to move
 * them is reported, not fatal (the output is complete either way).
 */
final class GroupOffsetsAfterBoundedRun {

    private static final long TIMEOUT_MS = 10_000;

    private GroupOffsetsAfterBoundedRun() {}

    /**
     * @param consumed the highest offset read per {@code topic-partition} by the run's last attempt
     * @param stops where the bounded run stops per partition ({@link BoundedStopOffsets}), which
     *     covers partitions finished before a crash; may be empty
     */
    static void settle(JobConfig config, Map<String, Long> consumed, Map<String, Long> stops, PrintStream log) {
        Map<String, Long> targets = new HashMap<>(stops);
        if (consumed != null) {
            consumed.forEach((partition, last) -> targets.merge(partition, last + 1, Math::max));
        }
        if (targets.isEmpty()) {
            return;
        }
        String group = config.get(JobOptions.KAFKA_SOURCE_GROUP_ID);
        Properties properties = KafkaPreflight.adminProperties(config, "leaf-embed-group-offsets", TIMEOUT_MS);
        try (Admin admin = Admin.create(properties)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> behind = new HashMap<>();
            targets.forEach((key, target) -> {
                Map.Entry<String, Integer> tp = ConsumedOffsets.topicAndPartition(key);
                TopicPartition partition = new TopicPartition(tp.getKey(), tp.getValue());
                OffsetAndMetadata current = committed.get(partition);
                if (target > 0 && (current == null || current.offset() < target)) {
                    behind.put(partition, new OffsetAndMetadata(target));
                }
            });
            if (!behind.isEmpty()) {
                admin.alterConsumerGroupOffsets(group, behind).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                log.println("leaf-embed: moved group '" + group + "' past the last records read in " + behind.size()
                        + " partition(s), so the next run starts after them");
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.println("leaf-embed: warning: could not check the consumer group '" + group + "' offsets after the"
                    + " run (" + e + "); the next run may start a few records early and write them again");
        }
    }
}
