package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test of CI's: the TaskManager memory of one shared model
 * ({@code runtime.share-model: true}) against a model per slot, on a real Flink 2.2 standalone
 * cluster ({@link FlinkStandaloneCluster}, config/flink/config.yaml with only the slot count,
 * ports and directories changed) with the cluster jar submitted through the REST API, Kafka in
 * and out ({@link KafkaBrokerProcess}). Each case gets a fresh cluster, so that no earlier job's
 * memory is in the TaskManager's resident set: the TaskManager's resident memory is read once it
 * registered, after the job embedded every record (both after a full GC), and its peak; the
 * time is from the first to the last committed result. Cases: the bundled int8 model and the
 * leaf-shaped fp32 directory (mdbr-leaf-mt's layout, its external-data graph and Dense layer),
 * at 2 and 4 slots, a session per slot against one shared session with 2 run threads (the
 * machine's cores). Every id must come out once, and a shared case's TaskManager log must say
 * that all its slots use one session; the memory is printed as a table, not asserted.
 *
 * <p>Its name does not end in ITCase, so {@code mvn verify} skips it; run it with {@code mvn -B
 * -ntp -q install -DskipTests -pl job -am}, then {@code mvn -B -ntp verify -pl integration-tests
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SharedModelMemoryBenchmark
 * -Dfailsafe.failIfNoSpecifiedTests=false} ({@code -Dleafembed.bench.records=N} for another input
 * size; default 3,000).
 */
class SharedModelMemoryBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("stream checkpoint vector embedding window latency broker partition "
            + "transaction savepoint operator session model token batch query document search cluster memory "
            + "lighthouse bread mountain weather printing history recipe story river harbour garden").split(" ");

    private record Case(String model, int slots, boolean shared) {
        String name() {
            return model + ", " + slots + " slots, " + (shared ? "one shared session" : "a session per slot");
        }
    }

    private record Result(Case c, long idleMb, long afterMb, long peakMb, double seconds, int records) {
    }

    @Test
    void sharedSessionAgainstSessionPerSlot() throws Exception {
        int records = Integer.getInteger("leafembed.bench.records", 3000);
        Path work = FlinkStandaloneCluster.freshDirectory(
                Path.of("target", "shared-model-memory").toAbsolutePath());
        Path leafShaped = Path.of(System.getProperty("leafembed.testModels"), "leaf-shaped");
        List<Case> cases = new ArrayList<>();
        for (String model : List.of("bundled int8", "leaf-shaped fp32")) {
            for (int slots : new int[] {2, 4}) {
                cases.add(new Case(model, slots, false));
                cases.add(new Case(model, slots, true));
            }
        }
        List<Result> results = new ArrayList<>();
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(work.resolve("kafka"))) {
            for (int i = 0; i < cases.size(); i++) {
                Result r = run(kafka, work.resolve("case-" + i), i, cases.get(i), records, leafShaped);
                System.out.println("SharedModelMemoryBenchmark: " + row(r));
                results.add(r);
            }
        }
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%nTaskManager memory, %d records per case, %d cores:%n%n"
                        + "| model | slots | sessions | RSS idle (MB) | RSS after (MB) | growth (MB) | peak RSS (MB) | texts/s |%n"
                        + "|---|---|---|---|---|---|---|---|%n", records, Runtime.getRuntime().availableProcessors()));
        results.forEach(r -> table.append(row(r)).append('\n'));
        System.out.println(table);
    }

    private static String row(Result r) {
        return String.format(Locale.ROOT, "| %s | %d | %s | %d | %d | %+d | %d | %.1f |", r.c.model, r.c.slots,
                r.c.shared ? "one shared" : "one per slot", r.idleMb, r.afterMb, r.afterMb - r.idleMb, r.peakMb,
                r.records / r.seconds);
    }

    private static Result run(KafkaBrokerProcess kafka, Path home, int index, Case c, int records, Path leafShaped)
            throws Exception {
        String input = "texts-" + index;
        String output = "vectors-" + index;
        kafka.createTopic(input, c.slots);
        kafka.createTopic(output, c.slots);
        kafka.createTopic(output + "-dead-letters", 1);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < records; i++) {
            String id = String.format("r-%05d", i);
            values.put(id, JSON.createObjectNode().put("id", id).put("text", text(i)).toString());
        }
        kafka.produce(input, values);

        Path config = home.resolve("cluster-config.yaml");
        Files.createDirectories(home);
        Files.writeString(config, FlinkStandaloneCluster.withOverrides(
                Files.readString(JobJar.repoRoot().resolve("config/flink/config.yaml")),
                Map.of("taskmanager.numberOfTaskSlots", String.valueOf(c.slots))));
        Path jobYaml = home.resolve("job.yaml");
        List<String> yaml = new ArrayList<>(List.of(
                "kafka:",
                "  bootstrap-servers: " + kafka.bootstrapServers(),
                "  source:",
                "    topics: " + input,
                "    group-id: shared-model-memory-" + index,
                "    starting-offsets: earliest",
                "  sink:",
                "    topic: " + output));
        if (c.model.startsWith("leaf")) {
            yaml.addAll(List.of("model:", "  dir: " + leafShaped));
        }
        yaml.addAll(List.of("runtime:", "  checkpoint-interval-ms: 1000"));
        if (c.shared) {
            yaml.addAll(List.of("  share-model: true", "  parallel-runs: " + Runtime.getRuntime().availableProcessors()));
        }
        Files.writeString(jobYaml, String.join("\n", yaml) + "\n");

        try (FlinkStandaloneCluster flink = FlinkStandaloneCluster.start(home.resolve("flink"), config)) {
            Process taskManager = flink.startTaskManager();
            flink.awaitTaskManagers(1);
            long idle = ProcessMemory.residentMegabytes(taskManager);
            FlinkRest rest = flink.rest();
            String jobId = rest.runJar(rest.uploadJar(JobJar.clusterJar()), List.of("--config", jobYaml.toString()),
                    c.slots, null);
            long first = 0;
            int firstCount = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            Map<String, Integer> seen;
            while ((seen = committedIds(kafka, output)).size() < records) {
                if (first == 0 && !seen.isEmpty()) {
                    first = System.nanoTime();
                    firstCount = seen.size();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(c.name() + ": " + seen.size() + " of " + records
                            + " committed after 10 minutes; logs:" + flink.logTails(60));
                }
                // each look re-reads the output topic on the cores the job uses: once a checkpoint
                Thread.sleep(1000);
            }
            long last = System.nanoTime();
            assertThat(seen.values()).as(c.name() + ": ids committed more than once").allMatch(n -> n == 1);
            if (c.shared) {
                assertThat(Logs.grep(flink.logDir(),
                        List.of("embedding instance(s) of this job in this TaskManager use one session")))
                        .as(c.name() + ": the TaskManager log's lines on the shared model")
                        .anyMatch(line -> line.contains(": " + c.slots + " embedding instance(s)"));
            }
            long after = ProcessMemory.residentMegabytes(taskManager);
            long peak = ProcessMemory.peakResidentMegabytes(taskManager);
            rest.cancel(jobId);
            rest.awaitState(jobId, "CANCELED", Duration.ofSeconds(60));
            // the rate over the records committed after the first seen ones: no start-up, no model load
            return new Result(c, idle, after, peak, first == 0 ? Double.NaN : (last - first) / 1e9,
                    records - firstCount);
        }
    }

    private static Map<String, Integer> committedIds(KafkaBrokerProcess kafka, String topic) throws Exception {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(topic)) {
            JsonNode value = JSON.readTree(record.value());
            counts.merge(value.path("id").asText(), 1, Integer::sum);
        }
        return counts;
    }

    /** Record i's text: 3 to 102 words, so that batches of mixed length grow each session's arena. */
    private static String text(int i) {
        int words = 3 + (i * 37) % 100;
        StringBuilder text = new StringBuilder("Note ").append(i).append(':');
        for (int w = 0; w < words; w++) {
            text.append(' ').append(WORDS[(i * 7 + w * 13) % WORDS.length]);
        }
        return text.append('.').toString();
    }
}
