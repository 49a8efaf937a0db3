package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Keeps the jar made for {@code flink run} to its layout: the job, the operators, the Kafka
 * connector and its clients, the bundled default model; no Flink runtime (the cluster's),
 * and no ONNX Runtime, DJL, gson or JNA, which must come from Flink's lib/ (the jars of
 * job/target/flink-lib) so that their native libraries load once per TaskManager JVM.
 * FlinkClusterITCase runs this jar on a real cluster; this test reads its entries only.
 */
class ClusterJarContentsITCase {

    private static List<String> entries(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    @Test
    void carriesTheJobTheKafkaConnectorAndTheDefaultModel() throws IOException {
        List<String> names = entries(JobJar.clusterJar());
        assertThat(names).contains(
                "io/leafembed/job/LeafEmbedJob.class",
                "io/leafembed/function/EmbeddingOperator.class",
                "io/leafembed/inference/OnnxEncoder.class",
                "org/apache/flink/connector/kafka/source/KafkaSource.class",
                "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                "org/apache/kafka/clients/producer/KafkaProducer.class",
                "com/fasterxml/jackson/dataformat/yaml/YAMLFactory.class",
                // sink.type jdbc and Flink SQL: the JDBC connector (not in flink-dist), pgjdbc, the
                // PostgreSQL dialect and the ML_PREDICT provider with their service files
                "org/apache/flink/connector/jdbc/core/table/JdbcDynamicTableFactory.class",
                "org/postgresql/Driver.class",
                "io/leafembed/job/sink/jdbc/PostgresArrayFactory.class",
                "io/leafembed/sql/LeafEmbedModelProviderFactory.class",
                "META-INF/services/org.apache.flink.connector.jdbc.core.database.JdbcFactory",
                "all-minilm-l6-v2-q.onnx",
                "all-minilm-l6-v2-q-tokenizer.json");
    }

    @Test
    void mergesTheTableFactoryServiceFiles() throws IOException {
        // one service file per interface, merged: Flink SQL finds the provider and both connectors
        try (ZipFile zip = new ZipFile(JobJar.clusterJar().toFile())) {
            String factories = new String(zip.getInputStream(zip.getEntry(
                    "META-INF/services/org.apache.flink.table.factories.Factory")).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertThat(factories).contains("io.leafembed.sql.LeafEmbedModelProviderFactory",
                    "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory",
                    "org.apache.flink.connector.jdbc.core.table.JdbcDynamicTableFactory");
        }
    }

    @Test
    void carriesNoFlinkRuntimeAndNoNativeInferenceLibraries() throws IOException {
        List<String> names = entries(JobJar.clusterJar());
        List<String> forbidden = List.of(
                "org/apache/flink/runtime/", "org/apache/flink/api/", "org/apache/flink/streaming/api/",
                "org/apache/flink/configuration/", "org/apache/flink/client/", "org/apache/flink/connector/base/",
                "org/apache/flink/shaded/", "ai/onnxruntime/", "ai/djl/", "native/lib/", "com/google/gson/",
                "com/sun/jna/", "org/apache/logging/log4j/", "org/slf4j/");
        for (String prefix : forbidden) {
            assertThat(names).as("entries under " + prefix).noneMatch(n -> n.startsWith(prefix));
        }
        // the only Flink classes are the Kafka and JDBC connectors' (not part of Flink's distribution;
        // its jar also carries one deserialization schema under streaming/util)
        assertThat(names.stream().filter(n -> n.startsWith("org/apache/flink/") && n.endsWith(".class"))
                .filter(n -> !n.startsWith("org/apache/flink/connector/kafka/")
                        && !n.startsWith("org/apache/flink/connector/jdbc/")
                        && !n.startsWith("org/apache/flink/streaming/connectors/kafka/")
                        && !n.equals("org/apache/flink/streaming/util/serialization/JSONKeyValueDeserializationSchema.class")))
                .as("Flink classes that are not the Kafka or JDBC connector's").isEmpty();
        assertThat(Files.size(JobJar.clusterJar()) / 1_000_000).as("cluster jar size in MB").isLessThan(50);
    }

    @Test
    void flinkLibHoldsWhatTheJarLeftOutAndNothingElse() throws IOException {
        Path lib = Path.of(System.getProperty("leafembed.flinkLib"));
        List<String> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).hasSize(5);
        assertThat(jars).anyMatch(j -> j.equals("onnxruntime-1.28.0.jar"))
                .anyMatch(j -> j.startsWith("tokenizers-"))
                .anyMatch(j -> j.startsWith("api-"))
                .anyMatch(j -> j.startsWith("gson-"))
                .anyMatch(j -> j.startsWith("jna-"));
        assertThat(entries(lib.resolve("onnxruntime-1.28.0.jar")))
                .contains("ai/onnxruntime/native/linux-x64/libonnxruntime.so");
    }
}
