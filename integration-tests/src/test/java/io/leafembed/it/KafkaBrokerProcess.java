package io.leafembed.it;

import io.leafembed.job.PartitionLeaders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Kafka 4.2 broker in its own JVM, from the Maven Central jars that
 * integration-tests/kafka-broker-lib copies: one combined KRaft node (broker + controller) on
 * free ports, formatted with {@code kafka.tools.StorageTool} and started with {@code kafka.Kafka},
 * with the single-node settings transactions need. Its output goes to {@code broker.log}.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private final Process process;
    private final String bootstrapServers;
    private final Path log;

    private KafkaBrokerProcess(Process process, String bootstrapServers, Path log) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.log = log;
    }

    static KafkaBrokerProcess start(Path workDir) throws Exception {
        Path lib = Path.of(System.getProperty("leafembed.kafkaBrokerLib"));
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("Kafka broker jars " + lib + " missing: run `mvn verify` from the repository root");
        }
        Files.createDirectories(workDir);
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        Path properties = workDir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + workDir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "") );
        Path log = workDir.resolve("broker.log");
        String classpath = lib + "/*";
        Process format = java(classpath, List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", properties.toString()))
                .redirectErrorStream(true).redirectOutput(workDir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka.tools.StorageTool format failed: "
                    + Files.readString(workDir.resolve("format.log")));
        }
        Process broker = java(classpath, List.of("kafka.Kafka", properties.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        KafkaBrokerProcess started = new KafkaBrokerProcess(broker, "127.0.0.1:" + port, log);
        try {
            started.awaitReady(Duration.ofSeconds(60));
        } catch (Exception e) {
            started.close();
            throw new IllegalStateException("the Kafka broker did not come up; its log:\n" + Logs.tail(log, 40), e);
        }
        return started;
    }

    private static ProcessBuilder java(String classpath, List<String> mainAndArgs) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", classpath));
        command.addAll(mainAndArgs);
        return new ProcessBuilder(command);
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited with " + process.exitValue());
            }
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    Path log() {
        return log;
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers, "request.timeout.ms", 5000,
                "default.api.timeout.ms", 10000));
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            PartitionLeaders.await(admin, List.of(name), Duration.ofSeconds(30));
        }
    }

    /** Sends values keyed by their keys (in order); fails if any send fails. */
    void produce(String topic, Map<String, String> keyedValues) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            keyedValues.forEach((k, v) -> sent.add(producer.send(new ProducerRecord<>(topic, k, v))));
            producer.flush();
            for (Future<?> f : sent) {
                f.get();
            }
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    /** Everything committed on {@code topic}, read with read_committed up to the last stable offsets. */
    List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return KafkaBroker.readCommitted(bootstrapServers, topic);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
