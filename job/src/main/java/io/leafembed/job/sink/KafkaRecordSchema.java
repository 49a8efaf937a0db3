package io.leafembed.job.sink;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes already serialized {@link KafkaRecord}s to one topic, with the element's timestamp. */
public final class KafkaRecordSchema implements KafkaRecordSerializationSchema<KafkaRecord> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public KafkaRecordSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(KafkaRecord record, KafkaSinkContext context, Long timestamp) {
        return record.toProducerRecord(topic, timestamp);
    }
}
