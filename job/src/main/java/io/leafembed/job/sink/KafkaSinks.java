package io.leafembed.job.sink;

import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedResult;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the job's two KafkaSinks (results and dead letters) with the configured delivery
 * guarantee. Exactly-once writes each checkpoint's records in a Kafka transaction committed when
 * the checkpoint completes: consumers see them only with {@code isolation.level=read_committed},
 * and only after the checkpoint. Each sink gets its own transactional id prefix.
 */
public final class KafkaSinks {

    private KafkaSinks() {}

    public static KafkaSink<EmbedResult> results(JobConfig config) {
        return sink(config, "-results", new ResultSerializer(config.get(JobOptions.KAFKA_SINK_TOPIC),
                config.get(JobOptions.OUTPUT_ENCODING), config.get(JobOptions.OUTPUT_EMBEDDING_FIELD)));
    }

    public static KafkaSink<DeadLetter> deadLetters(JobConfig config) {
        return sink(config, "-dead-letters", new DeadLetterSerializer(config.deadLetterTopic()));
    }

    private static <T> KafkaSink<T> sink(JobConfig config, String suffix, KafkaRecordSerializationSchema<T> schema) {
        Properties properties = new Properties();
        properties.putAll(config.kafkaProperties());
        properties.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                String.valueOf(config.get(JobOptions.KAFKA_SINK_TRANSACTION_TIMEOUT_MS)));
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(properties)
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(config.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(config.get(JobOptions.KAFKA_SINK_TRANSACTIONAL_ID_PREFIX) + suffix)
                .build();
    }
}
