package io.leafembed.job.sink;

import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the job's two KafkaSinks (results and dead letters) with the configured delivery
 * guarantee. Both take records already serialized by {@link ResultEncoder} and {@link
 * DeadLetterEncoder}, which keep them under the producer's size limit.
 *
 * <p>Exactly-once writes each checkpoint's records in a Kafka transaction committed when the
 * checkpoint completes: consumers see them only with {@code isolation.level=read_committed}, and
 * only after the checkpoint. Transactional ids are {@code <prefix>-results-...} and {@code
 * <prefix>-dead-letters-...}, named with the connector's POOLING strategy: each subtask reuses a
 * small pool of ids instead of a new id per checkpoint (which the brokers keep for 7 days each),
 * and at start-up aborts only the open transactions of its own prefix. The prefix is {@code
 * kafka.sink.transactional-id-prefix}, by default {@code leaf-embed-<group id>-<sink topic>}:
 * two jobs that share it would fence each other, so jobs writing the same sink topic with the
 * same consumer group must each set their own.
 */
public final class KafkaSinks {

    /** Kafka's default max.request.size. */
    static final long DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

    /**
     * The sinks' producer batch.size unless {@code kafka.properties.batch.size} says otherwise (and
     * at most the producer's max.request.size, which the output topics' max.message.bytes must
     * allow): Kafka's 16 KiB holds one 1,024-dimension JSON result (11 KB) or three of 384, so the
     * producer, the brokers and every consumer handle a batch per record or two. 256 KiB per
     * partition being written stays well inside the producer's 32 MiB buffer.memory.
     */
    static final int DEFAULT_BATCH_BYTES = 256 * 1024;

    private KafkaSinks() {}

    public static KafkaSink<KafkaRecord> results(JobConfig config) {
        return sink(config, "-results", new KafkaRecordSchema(config.get(JobOptions.KAFKA_SINK_TOPIC)));
    }

    public static KafkaSink<KafkaRecord> deadLetters(JobConfig config) {
        return sink(config, "-dead-letters", new KafkaRecordSchema(config.deadLetterTopic()));
    }

    /** The encoder of embedded records: JSON, base64 or raw, within the producer's size limit. */
    public static ResultEncoder resultEncoder(JobConfig config) {
        return new ResultEncoder(new ResultSerializer(config.get(JobOptions.KAFKA_SINK_TOPIC),
                config.get(JobOptions.OUTPUT_ENCODING), config.get(JobOptions.OUTPUT_EMBEDDING_FIELD)),
                maxRecordBytes(config));
    }

    /** The encoder of dead letters: bounded JSON within the producer's size limit. */
    public static DeadLetterEncoder deadLetterEncoder(JobConfig config) {
        return new DeadLetterEncoder(config.get(JobOptions.OUTPUT_DEAD_LETTER_MAX_ORIGINAL_BYTES), maxRecordBytes(config));
    }

    /** The producer's max.request.size: {@code kafka.properties.max.request.size}, else Kafka's 1 MiB. */
    public static long maxRecordBytes(JobConfig config) {
        String configured = config.kafkaProperties().getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        try {
            return configured == null ? DEFAULT_MAX_REQUEST_BYTES : Long.parseLong(configured.trim());
        } catch (NumberFormatException e) {
            throw new io.leafembed.job.config.ConfigException("'kafka.properties.max.request.size' must be a whole"
                    + " number of bytes but was '" + configured + "'");
        }
    }

    /**
     * The transactional-id prefix: {@code kafka.sink.transactional-id-prefix}, or one derived
     * from what identifies the job on its Kafka cluster, its consumer group and sink topic.
     */
    public static String transactionalIdPrefix(JobConfig config) {
        return config.isSet(JobOptions.KAFKA_SINK_TRANSACTIONAL_ID_PREFIX)
                ? config.get(JobOptions.KAFKA_SINK_TRANSACTIONAL_ID_PREFIX)
                : "leaf-embed-" + config.get(JobOptions.KAFKA_SOURCE_GROUP_ID) + "@" + config.resultsTarget();
    }

    /** The producer settings of both sinks: the user's {@code kafka.properties.*} over the job's defaults. */
    static Properties producerProperties(JobConfig config) {
        Properties properties = new Properties();
        // a larger batch than a topic takes would be refused and split by the producer on every send
        properties.setProperty(ProducerConfig.BATCH_SIZE_CONFIG,
                String.valueOf(Math.min(DEFAULT_BATCH_BYTES, maxRecordBytes(config))));
        properties.putAll(config.kafkaProperties());
        properties.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                String.valueOf(config.get(JobOptions.KAFKA_SINK_TRANSACTION_TIMEOUT_MS)));
        return properties;
    }

    private static KafkaSink<KafkaRecord> sink(JobConfig config, String suffix, KafkaRecordSchema schema) {
        KafkaSinkBuilder<KafkaRecord> builder = KafkaSink.<KafkaRecord>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producerProperties(config))
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(config.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix(config) + suffix);
        if (config.exactlyOnce()) {
            builder.setTransactionNamingStrategy(TransactionNamingStrategy.POOLING);
        }
        return builder.build();
    }
}
