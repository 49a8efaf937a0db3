package io.leafembed.job;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Waits until the leader of every partition of just-created topics serves it. A broker answers a
 * create before the partition's leader has applied it, and a produce request that arrives in that
 * gap fails with NOT_LEADER_OR_FOLLOWER. An idempotent (or transactional) producer whose next
 * request got in after the gap then retries the first one with OUT_OF_ORDER_SEQUENCE_NUMBER until
 * its delivery timeout expires it (KAFKA-15591; the broker side was fixed in apache/kafka#23234).
 * The benchmark's input producer hit this on a Kafka 4.2 broker; the job's sinks would fail and
 * restart from a checkpoint. A ListOffsets answer comes from the same leader check as a produce,
 * so once every partition answers one, a first write cannot fall into the gap.
 */
public final class PartitionLeaders {

    private static final long RETRY_MS = 50;

    private PartitionLeaders() {}

    /**
     * Returns once every partition of {@code topics} answers a ListOffsets request; throws {@link
     * TimeoutException} naming the topics if that takes longer than {@code timeout}, or the first
     * error that is not retriable.
     */
    public static void await(Admin admin, Collection<String> topics, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                        .get(remainingMs(deadline, topics), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
                for (TopicDescription topic : described.values()) {
                    for (TopicPartitionInfo partition : topic.partitions()) {
                        request.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
                    }
                }
                admin.listOffsets(request).all().get(remainingMs(deadline, topics), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
            }
            remainingMs(deadline, topics);
            Thread.sleep(RETRY_MS);
        }
    }

    private static long remainingMs(long deadline, Collection<String> topics) throws TimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (ms <= 0) {
            throw new TimeoutException("the partitions of " + topics + " have no leader that serves them yet");
        }
        return ms;
    }
}
