package io.leafembed.job;

import io.leafembed.job.config.ConfigException;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.sink.KafkaSinks;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import java.util.Optional;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Checks the Kafka side of the configuration before the job starts, in main() (with {@code java
 * -jar} and on a cluster, where main() runs in the client or JobManager), so that mistakes fail
 * in seconds with exit 2 and the key to fix instead of a job that restarts forever:
 *
 * <ul>
 *   <li>the brokers of {@code kafka.bootstrap-servers} answer within {@code
 *       kafka.startup-check-timeout-ms};
 *   <li>every topic of {@code kafka.source.topics} exists (a {@code kafka.source.topic-pattern}
 *       may match nothing yet: that is not checked);
 *   <li>the output topics ({@code kafka.sink.topic}, the dead-letter topic) exist; a missing one is
 *       created with the brokers' defaults where the brokers would create it on first write ({@code
 *       auto.create.topics.enable}, true by default), since the sinks' POOLING transaction naming
 *       needs its topics to exist at start-up;
 *   <li>with exactly-once, {@code kafka.sink.transaction-timeout-ms} is at most the brokers'
 *       {@code transaction.max.timeout.ms};
 *   <li>existing output topics accept records as large as the producer's {@code
 *       max.request.size} (their {@code max.message.bytes}), which the job's size checks assume.
 * </ul>
 *
 * Broker settings the client may not read (no DescribeConfigs permission) are skipped with a note.
 */
public final class KafkaPreflight {

    private KafkaPreflight() {}

    /**
     * Properties of an admin client for the job's brokers: its Kafka client properties (SASL,
     * SSL...), the bootstrap servers, {@code clientId}, and every call bounded by {@code timeoutMs}.
     */
    static Properties adminProperties(JobConfig config, String clientId, long timeoutMs) {
        Properties properties = config.kafkaProperties();
        properties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS));
        properties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        properties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        properties.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return properties;
    }

    /** Runs the checks; throws ConfigException (exit 2) naming the key and the fix. */
    public static void check(JobConfig config, PrintStream log) {
        int timeoutMs = config.get(JobOptions.KAFKA_STARTUP_CHECK_TIMEOUT_MS);
        if (timeoutMs == 0) {
            return;
        }
        String servers = config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
        Properties properties = adminProperties(config, "leaf-embed-startup-check", timeoutMs);
        Admin admin;
        try {
            admin = Admin.create(properties);
        } catch (KafkaException e) {
            throw new ConfigException("'kafka.bootstrap-servers' (" + servers + ") cannot be used: "
                    + rootMessage(e) + "; give host:port pairs of reachable brokers");
        }
        try {
            new Checks(admin, config, timeoutMs, log).run();
        } finally {
            admin.close(java.time.Duration.ofSeconds(1));
        }
    }

    /** One run of the checks against one admin client. */
    private static final class Checks {
        private final Admin admin;
        private final JobConfig config;
        private final int timeoutMs;
        private final PrintStream log;
        private final String servers;

        Checks(Admin admin, JobConfig config, int timeoutMs, PrintStream log) {
            this.admin = admin;
            this.config = config;
            this.timeoutMs = timeoutMs;
            this.log = log;
            this.servers = config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
        }

        void run() {
            Collection<Node> nodes = await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes(),
                    "reach the brokers");
            Set<String> topics = await(admin.listTopics(new ListTopicsOptions().listInternal(false).timeoutMs(timeoutMs))
                    .names(), "list the topics");
            if (config.isSet(JobOptions.KAFKA_SOURCE_TOPICS)) {
                List<String> missing = new ArrayList<>();
                for (String topic : config.sourceTopics()) {
                    if (!topics.contains(topic)) {
                        missing.add(topic);
                    }
                }
                if (!missing.isEmpty()) {
                    throw new ConfigException("'kafka.source.topics' names " + (missing.size() == 1
                            ? "a topic that does not exist" : "topics that do not exist") + " on " + servers + ": "
                            + String.join(", ", missing)
                            + "; create " + (missing.size() == 1 ? "it" : "them") + ", fix the name, or use"
                            + " 'kafka.source.topic-pattern' for topics that appear later");
                }
            }
            Map<String, String> broker = brokerConfig(nodes);
            Map<String, String> outputs = new LinkedHashMap<>();
            if (!config.isJdbcSink()) {
                outputs.put(config.get(JobOptions.KAFKA_SINK_TOPIC), "kafka.sink.topic");
            }
            outputs.putIfAbsent(config.deadLetterTopic(), config.isSet(JobOptions.KAFKA_SINK_DEAD_LETTER_TOPIC)
                    ? "kafka.sink.dead-letter-topic" : "kafka.sink.dead-letter-topic (default <kafka.sink.topic>-dead-letters)");
            List<String> existing = new ArrayList<>();
            for (Map.Entry<String, String> output : outputs.entrySet()) {
                if (topics.contains(output.getKey())) {
                    existing.add(output.getKey());
                } else if ("false".equals(broker.get("auto.create.topics.enable"))) {
                    throw new ConfigException("'" + output.getValue() + "' is '" + output.getKey() + "', which does not"
                            + " exist on " + servers + ", and the brokers do not create topics"
                            + " (auto.create.topics.enable=false): create it or fix the name");
                } else {
                    create(output.getKey(), output.getValue());
                }
            }
            checkTransactionTimeout(broker);
            checkMessageSizes(existing);
        }

        /**
         * Creates a missing output topic with the brokers' defaults, as a first write would where
         * the brokers allow it; the sinks' POOLING transaction naming needs its topics to exist.
         */
        private void create(String topic, String key) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())),
                        new CreateTopicsOptions().timeoutMs(timeoutMs)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                // the sinks' first write must not reach a leader that has not applied the topic yet
                PartitionLeaders.await(admin, List.of(topic), Duration.ofMillis(timeoutMs));
                log.println("leaf-embed: created the output topic '" + topic + "' (" + key + ") with the brokers'"
                        + " defaults");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new ConfigException("'" + key + "' is '" + topic + "', which does not exist on " + servers
                            + " and could not be created (" + rootMessage(e) + "): create it or fix the name");
                }
            } catch (TimeoutException e) {
                throw new ConfigException("'" + key + "' is '" + topic + "', which does not exist on " + servers
                        + " and could not be created and served by a leader within " + timeoutMs + " ms: create it or fix"
                        + " the name");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConfigException("interrupted while checking Kafka");
            }
        }

        private void checkTransactionTimeout(Map<String, String> broker) {
            String max = broker.get("transaction.max.timeout.ms");
            if (!config.exactlyOnce() || max == null) {
                return;
            }
            int timeout = config.get(JobOptions.KAFKA_SINK_TRANSACTION_TIMEOUT_MS);
            if (timeout > Long.parseLong(max)) {
                throw new ConfigException("'kafka.sink.transaction-timeout-ms' is " + timeout + " but the brokers'"
                        + " transaction.max.timeout.ms is " + max + ": set it to at most " + max
                        + " (and at least runtime.checkpoint-interval-ms), or raise the brokers' limit");
            }
        }

        private void checkMessageSizes(List<String> existing) {
            if (existing.isEmpty()) {
                return;
            }
            long producerLimit = KafkaSinks.maxRecordBytes(config);
            List<ConfigResource> resources = existing.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> described = describe(resources);
            for (Map.Entry<ConfigResource, Config> topic : described.entrySet()) {
                ConfigEntry entry = topic.getValue().get("max.message.bytes");
                // a batch of one record: ~70 bytes of framing on top of what the producer counts
                if (entry != null && entry.value() != null && Long.parseLong(entry.value()) + 128 < producerLimit) {
                    throw new ConfigException("topic '" + topic.getKey().name() + "' accepts records up to "
                            + entry.value() + " bytes (max.message.bytes), less than the producer's max.request.size "
                            + producerLimit + ": set 'kafka.properties.max.request.size' to at most "
                            + entry.value() + ", or raise the topic's max.message.bytes");
                }
            }
        }

        /** One broker's configuration (they normally agree); empty when it may not be read. */
        private Map<String, String> brokerConfig(Collection<Node> nodes) {
            Map<String, String> out = new LinkedHashMap<>();
            if (nodes.isEmpty()) {
                return out;
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER,
                    String.valueOf(nodes.iterator().next().id()));
            Config broker = describe(List.of(resource)).get(resource);
            if (broker != null) {
                for (String name : Arrays.asList("auto.create.topics.enable", "transaction.max.timeout.ms")) {
                    ConfigEntry entry = broker.get(name);
                    if (entry != null && entry.value() != null) {
                        out.put(name, entry.value());
                    }
                }
            }
            return out;
        }

        private Map<ConfigResource, Config> describe(Collection<ConfigResource> resources) {
            try {
                return admin.describeConfigs(resources, new DescribeConfigsOptions().timeoutMs(timeoutMs)).all()
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.println("leaf-embed: could not read " + resources + " settings (" + rootMessage(e)
                        + "); their checks are skipped");
                return Map.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConfigException("interrupted while checking Kafka");
            }
        }

        private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
            try {
                return future.get(timeoutMs + 1000L, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new ConfigException("could not " + what + " at 'kafka.bootstrap-servers' " + servers + " within "
                        + timeoutMs + " ms (" + rootMessage(e) + "): check the host:port list, that the brokers run,"
                        + " and the kafka.properties.* security settings (or raise 'kafka.startup-check-timeout-ms')");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConfigException("interrupted while checking Kafka");
            }
        }
    }

    /** The innermost cause, as {@code Type: message}. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
