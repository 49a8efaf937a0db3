package io.leafembed.job.source;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.accumulators.Accumulator;

/**
 * A Flink accumulator of the highest Kafka offset read per partition ({@code topic-partition}
 * to offset), fed with the {@code topic-partition@offset} sources of raw records (other sources,
 * such as {@code line N}, are ignored). When a bounded {@code java -jar} run ends, it tells the
 * run where the consumer group's offsets must stand: the connector commits them asynchronously on
 * each checkpoint, and the commit of the final checkpoint can be cut off by the job's shutdown,
 * which would leave the group a few records behind what was written.
 */
public final class ConsumedOffsets implements Accumulator<String, ConcurrentHashMap<String, Long>> {

    private static final long serialVersionUID = 1L;

    /** The accumulator's name in the job's results. */
    public static final String NAME = "leafembed-consumed-offsets";

    /** Concurrent: Flink serializes it for heartbeats while the task thread adds to it. */
    private ConcurrentHashMap<String, Long> highest = new ConcurrentHashMap<>();

    @Override
    public void add(String source) {
        int at = source == null ? -1 : source.lastIndexOf('@');
        if (at <= 0) {
            return;
        }
        try {
            long offset = Long.parseLong(source.substring(at + 1));
            highest.merge(source.substring(0, at), offset, Math::max);
        } catch (NumberFormatException e) {
            // not a Kafka position
        }
    }

    @Override
    public ConcurrentHashMap<String, Long> getLocalValue() {
        return highest;
    }

    @Override
    public void resetLocal() {
        highest = new ConcurrentHashMap<>();
    }

    @Override
    public void merge(Accumulator<String, ConcurrentHashMap<String, Long>> other) {
        other.getLocalValue().forEach((partition, offset) -> highest.merge(partition, offset, Math::max));
    }

    @Override
    public ConsumedOffsets clone() {
        ConsumedOffsets copy = new ConsumedOffsets();
        copy.highest = new ConcurrentHashMap<>(highest);
        return copy;
    }

    /** Splits {@code topic-partition} (topics may hold dashes: the partition is after the last). */
    public static Map.Entry<String, Integer> topicAndPartition(String key) {
        int dash = key.lastIndexOf('-');
        return Map.entry(key.substring(0, dash), Integer.parseInt(key.substring(dash + 1)));
    }
}
