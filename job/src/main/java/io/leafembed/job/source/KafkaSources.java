package io.leafembed.job.source;

import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Builds the job's KafkaSource from its configuration: topics or a pattern, starting offsets, an
 * optional bound, and every {@code kafka.properties.*} client property (SASL, SSL...). Consumers
 * read committed data only, unless the properties say otherwise, so transactional producers
 * upstream are honoured.
 */
public final class KafkaSources {

    private KafkaSources() {}

    /**
     * The job's source: the KafkaSource, wrapped so that a bounded one also ends when the job was
     * restored from a checkpoint (see {@link RestorableBoundedSource}).
     */
    public static RestorableBoundedSource<RawRecord> create(JobConfig config) {
        return new RestorableBoundedSource<>(kafkaSource(config));
    }

    static KafkaSource<RawRecord> kafkaSource(JobConfig config) {
        Properties properties = new Properties();
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.putAll(config.kafkaProperties());
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS))
                .setGroupId(config.get(JobOptions.KAFKA_SOURCE_GROUP_ID))
                .setProperties(properties)
                .setStartingOffsets(startingOffsets(config.get(JobOptions.KAFKA_SOURCE_STARTING_OFFSETS)))
                .setDeserializer(new KafkaRawRecordDeserializer());
        if (config.isSet(JobOptions.KAFKA_SOURCE_TOPICS)) {
            builder.setTopics(config.sourceTopics());
        } else {
            builder.setTopicPattern(Pattern.compile(config.get(JobOptions.KAFKA_SOURCE_TOPIC_PATTERN)));
        }
        if (config.get(JobOptions.KAFKA_SOURCE_BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    @SuppressWarnings("deprecation") // OffsetResetStrategy is what the connector takes
    static OffsetsInitializer startingOffsets(String setting) {
        switch (setting) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            case "committed":
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default:
                return OffsetsInitializer.timestamp(Long.parseLong(setting));
        }
    }
}
