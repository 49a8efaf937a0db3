package io.leafembed.it;

import io.leafembed.job.PartitionLeaders;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker inside the test JVM: one combined KRaft node (broker + controller) from
 * Kafka's own test kit, with the single-node settings transactions need. Up in a few seconds.
 */
final class KafkaBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private KafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static KafkaBroker start() throws Exception {
        return start(Map.of());
    }

    /** A broker with extra broker settings (e.g. auto.create.topics.enable=false). */
    static KafkaBroker start(Map<String, String> brokerSettings) throws Exception {
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0");
        brokerSettings.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new KafkaBroker(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    /** A topic with topic-level settings (e.g. max.message.bytes); others are the broker's defaults. */
    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
            PartitionLeaders.await(admin, List.of(name), Duration.ofSeconds(30));
        }
    }

    /** Sends key/value pairs (value may be null), spread over partitions by key. */
    void produce(String topic, List<Map.Entry<String, byte[]>> records) {
        produce(topic, records, Map.of());
    }

    /** Sends key/value pairs with extra producer settings; fails if any send fails. */
    void produce(String topic, List<Map.Entry<String, byte[]>> records, Map<String, Object> producerSettings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putAll(producerSettings);
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> r : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, r.getKey() == null ? null : r.getKey().getBytes(),
                        r.getValue())));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> f : sent) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    /** Everything committed on {@code topic}, read with read_committed until the end offsets. */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return readCommitted(bootstrapServers(), topic);
    }

    /** Everything committed on {@code topic} of the brokers at {@code bootstrapServers} (read_committed). */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * The end offset of each partition of {@code topic} as a consumer with {@code isolation} sees
     * it: read_uncommitted gives the log end, read_committed the last stable offset, which stops
     * at the first transaction still open.
     */
    Map<org.apache.kafka.common.TopicPartition, Long> endOffsets(String topic, String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            return endOffsets(consumer, topic);
        }
    }

    /** End offsets of {@code topic} through an open consumer: a few ms, for tight polling loops. */
    static Map<org.apache.kafka.common.TopicPartition, Long> endOffsets(KafkaConsumer<byte[], byte[]> consumer,
            String topic) {
        var partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new org.apache.kafka.common.TopicPartition(topic, info.partition())).toList();
        return consumer.endOffsets(partitions);
    }

    /** The offsets consumer group {@code group} has committed for {@code partitions} (null where none). */
    Map<org.apache.kafka.common.TopicPartition, Long> groupOffsets(String group,
            java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<org.apache.kafka.common.TopicPartition, Long> out = new java.util.HashMap<>();
            partitions.forEach(tp -> out.put(tp, committed.get(tp) == null ? null : committed.get(tp).offset()));
            return out;
        }
    }

    /** A consumer with {@code isolation} (read_committed or read_uncommitted) that joins no group. */
    KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
