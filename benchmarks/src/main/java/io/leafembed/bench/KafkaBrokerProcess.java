package io.leafembed.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka broker the Kafka contender writes to and reads from: Kafka 4.2 as one combined KRaft
 * node (broker + controller) in its own JVM, from the Maven Central jars that
 * {@code integration-tests/kafka-broker-lib} copies to its {@code target/lib} (the same broker the
 * cluster tests start), on ports the system just handed out, with the single-node settings
 * transactions need. Its own process, so its CPU is never counted as the job's; it still shares
 * the machine's cores with the job, as a broker on the same host would. Stopped by {@link #close}
 * or, if the benchmark dies first, by a shutdown hook; its data folder is deleted then.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private final BackgroundProcess process;
    private final String bootstrapServers;
    private final Path dir;

    private KafkaBrokerProcess(BackgroundProcess process, String bootstrapServers, Path dir) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.dir = dir;
    }

    /** The broker process's CPU time so far; -1 if unknown. */
    long cpuNanos() {
        return process.cpuNanos();
    }

    /** Formats a fresh node under {@code dir} and starts it; fails with the broker's log if it does not come up. */
    static KafkaBrokerProcess start(Path lib, Path dir) throws Exception {
        deleteTree(dir);
        Files.createDirectories(dir);
        int port = freePort();
        int controllerPort = freePort();
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                ""));
        Path formatLog = dir.resolve("format.log");
        Process format = new ProcessBuilder(java(lib, "kafka.tools.StorageTool", "format", "-t",
                Uuid.randomUuid().toString(), "-c", properties.toString())).redirectErrorStream(true)
                .redirectOutput(formatLog.toFile()).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka.tools.StorageTool format failed: " + Files.readString(formatLog));
        }
        BackgroundProcess broker = BackgroundProcess.start("the Kafka broker", java(lib, "kafka.Kafka",
                properties.toString()), dir, "broker.log", Map.of());
        KafkaBrokerProcess started = new KafkaBrokerProcess(broker, "127.0.0.1:" + port, dir);
        try {
            started.awaitReady(port, 120);
            started.createInternalTopics();
        } catch (Exception e) {
            IllegalStateException failure = broker.failure("did not answer in 120 s");
            started.close();
            failure.addSuppressed(e);
            throw failure;
        }
        return started;
    }

    private static List<String> java(Path lib, String... mainAndArgs) {
        List<String> command = new ArrayList<>(List.of(LocalJobRun.javaBinary(), "-Xmx512m", "-cp", lib + "/*"));
        command.addAll(List.of(mainAndArgs));
        return command;
    }

    private void awaitReady(int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited");
            }
            try (Socket probe = new Socket("127.0.0.1", port); Admin admin = admin()) {
                // the plain connect first: an admin client logs a warning for every refused attempt
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /**
     * Makes the broker create its offsets and transaction-state topics now (one committed offset,
     * one committed transaction), so that the first timed job does not wait for them: on a fresh
     * broker the first offset commit finds no coordinator for a few seconds.
     */
    private void createInternalTopics() throws Exception {
        createTopics("broker-warm-up");
        Map<String, Object> common = Map.of("bootstrap.servers", bootstrapServers);
        Map<String, Object> transactional = new java.util.HashMap<>(common);
        transactional.put("transactional.id", "broker-warm-up");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(transactional, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("broker-warm-up", new byte[0]));
            producer.commitTransaction();
        }
        Map<String, Object> grouped = new java.util.HashMap<>(common);
        grouped.put("group.id", "broker-warm-up");
        TopicPartition partition = new TopicPartition("broker-warm-up", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(grouped, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(1)), Duration.ofSeconds(60));
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates topics of one partition each (the job runs at parallelism 1) and returns once their
     * leader serves them: a first produce that reaches the broker before that fails, and an
     * idempotent producer then retries it with OUT_OF_ORDER_SEQUENCE_NUMBER until it expires
     * (KAFKA-15591; seen here on the input topic; the job's {@code PartitionLeaders} does the same).
     */
    void createTopics(String... names) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(Stream.of(names).map(n -> new NewTopic(n, 1, (short) 1)).toList()).all()
                    .get(60, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> partitions = new java.util.HashMap<>();
            for (String name : names) {
                partitions.put(new TopicPartition(name, 0), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    admin.listOffsets(partitions).all().get(60, TimeUnit.SECONDS); // the leader's own check
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                Thread.sleep(50);
            }
        }
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers, "request.timeout.ms", 5000,
                "default.api.timeout.ms", 10000));
    }

    @Override
    public void close() throws Exception {
        process.close();
        deleteTree(dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Deletes a folder and everything in it (no-op when it does not exist). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
