package io.leafembed.job.sink;

import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A record already serialized for Kafka: key, value and headers as bytes. The job serializes
 * before its KafkaSinks ({@link ResultEncoder}, {@link DeadLetterEncoder}), where a record too
 * large for Kafka can still become a dead letter instead of failing the sink.
 */
public record KafkaRecord(byte[] key, byte[] value, String[] headerNames, byte[][] headerValues) {

    /** Bytes a record adds to its batch beyond key, value and headers (generous: varints, batch header). */
    static final int OVERHEAD_BYTES = 256;

    /** The bytes of {@code record} (its topic and timestamp are the sink's business). */
    public static KafkaRecord of(ProducerRecord<byte[], byte[]> record) {
        Header[] headers = record.headers().toArray();
        String[] names = new String[headers.length];
        byte[][] values = new byte[headers.length][];
        for (int i = 0; i < headers.length; i++) {
            names[i] = headers[i].key();
            values[i] = headers[i].value();
        }
        return new KafkaRecord(record.key(), record.value(), names, values);
    }

    /** An upper bound of what this record adds to a produce request, as Kafka's size check counts it. */
    public long sizeInBytes() {
        long size = OVERHEAD_BYTES + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (int i = 0; i < headerNames.length; i++) {
            size += 16 + headerNames[i].length() * 3L + (headerValues[i] == null ? 0 : headerValues[i].length);
        }
        return size;
    }

    public ProducerRecord<byte[], byte[]> toProducerRecord(String topic, Long timestamp) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, timestamp, key, value);
        for (int i = 0; i < headerNames.length; i++) {
            record.headers().add(headerNames[i], headerValues[i]);
        }
        return record;
    }

    @Override
    public String toString() {
        return "KafkaRecord[" + (key == null ? 0 : key.length) + " key bytes, " + (value == null ? 0 : value.length)
                + " value bytes, headers " + Arrays.toString(headerNames) + "]";
    }
}
