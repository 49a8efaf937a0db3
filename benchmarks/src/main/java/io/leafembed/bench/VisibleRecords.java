package io.leafembed.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One output topic (one partition) as a consumer with one isolation level sees it, from its
 * beginning: when each key (record id) first became visible ({@code System.nanoTime()} right after
 * the poll that returned it) and how many times it came. {@code read_uncommitted} sees a result as
 * soon as the job's producer sent it; {@code read_committed} only once the checkpoint that holds it
 * committed its transaction. Either polled by the caller's thread ({@link #poll}) or by its own
 * thread ({@link #follow}); never both.
 */
final class VisibleRecords implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final String isolation;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Map<String, Integer> copies = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile Exception failure;
    private Thread follower;

    VisibleRecords(String bootstrapServers, String topic, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // an idle fetch returns after 20 ms at most, so a visibility time is late by at most that
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.partition = new TopicPartition(topic, 0);
        this.isolation = isolation;
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Polls once, waiting at most {@code timeout}; returns how many distinct keys were seen so far. */
    int poll(Duration timeout) {
        var records = consumer.poll(timeout);
        long now = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = r.key() == null ? "(no key)" : new String(r.key(), StandardCharsets.UTF_8);
            firstSeen.putIfAbsent(key, now);
            copies.merge(key, 1, Integer::sum);
        }
        return firstSeen.size();
    }

    /** Whether this consumer has read up to the partition's end for its isolation level. */
    boolean atEnd() {
        return consumer.position(partition) >= consumer.endOffsets(List.of(partition)).get(partition);
    }

    /** Polls from a thread of its own until {@link #close}. */
    VisibleRecords follow() {
        follower = new Thread(() -> {
            try {
                while (!stopped) {
                    poll(Duration.ofMillis(100));
                }
            } catch (Exception e) {
                failure = e;
            }
        }, "visible-records-" + isolation);
        follower.setDaemon(true);
        follower.start();
        return this;
    }

    /** When {@code key} first became visible, or null if it has not. */
    Long firstSeen(String key) {
        return firstSeen.get(key);
    }

    int distinctKeys() {
        return firstSeen.size();
    }

    /** The keys that came more than once, with their counts. */
    Map<String, Integer> duplicates() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        copies.forEach((k, n) -> {
            if (n > 1) {
                out.put(k, n);
            }
        });
        return out;
    }

    /** Throws what the following thread failed with, if it did. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("reading " + partition + " (" + isolation + ") failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        if (follower != null) {
            follower.join(10_000);
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
