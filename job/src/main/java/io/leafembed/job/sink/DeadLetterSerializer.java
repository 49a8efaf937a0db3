package io.leafembed.job.sink;

import io.leafembed.function.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes dead letters to Kafka as JSON ({@link JsonRecords#deadLetter}), keyed by record id. */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final JsonRecords json = new JsonRecords(OutputEncoding.JSON, "embedding");

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        byte[] key = d.id() == null ? null : d.id().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, timestamp, key, json.deadLetter(d).getBytes(StandardCharsets.UTF_8));
    }
}
