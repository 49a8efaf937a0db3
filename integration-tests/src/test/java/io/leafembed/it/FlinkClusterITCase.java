package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster jar on a real Flink 2.2 standalone session cluster, as an operator runs it: a
 * JobManager and a TaskManager, each its own JVM started with Flink's entry points
 * ({@link FlinkStandaloneCluster}: config/flink/config.yaml with only ports and directories
 * changed, job/target/flink-lib in lib/), a Kafka broker process ({@link KafkaBrokerProcess}),
 * and the job submitted through the REST API with a job YAML (Kafka in and out, the bundled
 * int8 model loaded from the jar on the TaskManager). Then, one after the other:
 * <ol>
 *   <li>cancel and resubmit the job 5 times into the same TaskManager, each time from the
 *       retained checkpoint of the cancelled run and with more input;</li>
 *   <li>kill the TaskManager with SIGKILL while records stream, start a new one: the job
 *       recovers from its last checkpoint;</li>
 *   <li>stop with a savepoint and resubmit from it, first at parallelism 1, then at 2 (two
 *       slots, two input partitions);</li>
 *   <li>the same once more at parallelism 2 with {@code runtime.share-model: true}: both slots'
 *       instances must say in the TaskManager's log that they use one session.</li>
 * </ol>
 * After each step: every id exactly once in the output read with read_committed (nothing lost,
 * nothing twice, no dead letters), no {@code UnsatisfiedLinkError}, {@code already loaded in
 * another classloader} or {@code Could not initialize class} (DJL's follow-up failure) in any
 * JobManager or TaskManager log, and
 * the TaskManager's resident memory printed; across the resubmissions it must stay bounded and
 * ONNX Runtime's native library must be mapped once (the layout of the jar plus lib/ loads it
 * once per JVM; ONNX Runtime inside the job jar would map a new copy, ~60 MB, per submission).
 * The JobManager, which runs the job's main(), must never load ONNX Runtime or the tokenizer.
 */
class FlinkClusterITCase {

    private static final String INPUT = "texts";
    private static final String OUTPUT = "vectors";
    private static final String DEAD_LETTERS = OUTPUT + "-dead-letters";
    private static final int PER_STEP = 30;
    private static final List<String> FORBIDDEN = List.of(
            "UnsatisfiedLinkError", "already loaded in another classloader", "Could not initialize class");
    /**
     * Most the TaskManager's resident memory may grow from the 2nd to the 5th resubmission. ONNX
     * Runtime in the job jar leaks ~60 MB per submission (FACTS), 180 MB over these three.
     */
    private static final long RSS_GROWTH_LIMIT_MB = 120;
    /**
     * Most the TaskManager's committed metaspace may grow from the 2nd to the 5th resubmission: a
     * cancelled job's classes must be unloaded. A job classloader that stays behind costs ~16 MB
     * (seen while the Kafka sink's admin clients kept theirs: +50 MB over these three).
     */
    private static final long METASPACE_GROWTH_LIMIT_MB = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TOPICS = {"machine learning on streams", "the weather in the mountains",
            "a recipe for bread", "how transactions commit in Kafka", "checkpoints and savepoints",
            "a short story about a lighthouse", "vector search with embeddings", "the history of printing"};

    private static Path work;
    private static KafkaBrokerProcess kafka;
    private static FlinkStandaloneCluster flink;
    private static Process taskManager;
    private static final List<String> produced = new ArrayList<>();
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void startKafkaAndFlink() throws Exception {
        work = FlinkStandaloneCluster.freshDirectory(Path.of("target", "flink-cluster-it").toAbsolutePath());
        try {
            kafka = KafkaBrokerProcess.start(work.resolve("kafka"));
            kafka.createTopic(INPUT, 2);
            kafka.createTopic(OUTPUT, 2);
            kafka.createTopic(DEAD_LETTERS, 1);
            flink = FlinkStandaloneCluster.start(work.resolve("flink"),
                    JobJar.repoRoot().resolve("config/flink/config.yaml"));
            taskManager = flink.startTaskManager();
            flink.awaitTaskManagers(1);
        } catch (Throwable t) {
            printLogs();
            stopAll();
            throw t;
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        // every process this class started, also after a failure
        try {
            if (flink != null) {
                flink.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void resubmissionsTaskManagerLossAndSavepointsKeepEveryRecordExactlyOnce() throws Exception {
        try {
            runScenario();
        } catch (Throwable t) {
            printLogs();
            throw t;
        } finally {
            System.out.println("FlinkClusterITCase summary:\n  " + String.join("\n  ", report));
        }
    }

    private void runScenario() throws Exception {
        FlinkRest rest = flink.rest();
        Path jobYaml = work.resolve("job.yaml");
        Files.writeString(jobYaml, String.join("\n",
                "kafka:",
                "  bootstrap-servers: " + kafka.bootstrapServers(),
                "  source:",
                "    topics: " + INPUT,
                "    group-id: leaf-embed-cluster-it",
                "    starting-offsets: earliest",
                "  sink:",
                "    topic: " + OUTPUT,
                "runtime:",
                "  checkpoint-interval-ms: 1000",
                "batching:",
                "  max-wait-ms: 20",
                ""));
        List<String> args = List.of("--config", jobYaml.toString());
        String jarId = rest.uploadJar(JobJar.clusterJar());

        // first submission: a fresh start
        produce(PER_STEP);
        String jobId = rest.runJar(jarId, args, 1, null);
        awaitExactlyOnce(jobId);
        long start = step("submission 1 (fresh)", jobId, 1, taskManager);
        assertThat(start).isPositive();

        // 1. cancel and resubmit 5 times into the same TaskManager, from the retained checkpoint
        Map<Integer, Long> rssAfter = new TreeMap<>();
        Map<Integer, Long> metaspaceAfter = new TreeMap<>();
        for (int i = 1; i <= 5; i++) {
            String checkpoint = cancelAndGetRetainedCheckpoint(rest, jobId);
            produce(PER_STEP);
            jobId = rest.runJar(jarId, args, 1, checkpoint);
            awaitExactlyOnce(jobId);
            assertThat(rest.checkpoints(jobId).path("latest").path("restored").path("external_path").asText())
                    .as("resubmission %d restored from", i).isEqualTo(checkpoint);
            rssAfter.put(i, step("resubmission " + i + "/5 (from checkpoint)", jobId, 1, taskManager));
            metaspaceAfter.put(i, ProcessMemory.metaspaceMegabytes(taskManager));
        }
        assertThat(taskManager.isAlive()).as("the same TaskManager ran all submissions").isTrue();
        assertThat(FlinkStandaloneCluster.mappedCopies(taskManager, "libonnxruntime.so"))
                .as("ONNX Runtime's native library mapped in the TaskManager after 6 submissions").hasSize(1);
        assertThat(FlinkStandaloneCluster.mappedCopies(taskManager, "libtokenizers.so"))
                .as("the tokenizer's native library mapped in the TaskManager after 6 submissions").hasSize(1);
        long growth = rssAfter.get(5) - rssAfter.get(2);
        report.add(String.format("TaskManager RSS growth from resubmission 2 to 5: %+d MB (limit %d MB)", growth,
                RSS_GROWTH_LIMIT_MB));
        assertThat(growth).as("TaskManager RSS growth from resubmission 2 to 5 in MB, RSS " + rssAfter)
                .isLessThan(RSS_GROWTH_LIMIT_MB);
        long metaspaceGrowth = metaspaceAfter.get(5) - metaspaceAfter.get(2);
        report.add(String.format("TaskManager metaspace growth from resubmission 2 to 5: %+d MB (limit %d MB)",
                metaspaceGrowth, METASPACE_GROWTH_LIMIT_MB));
        assertThat(metaspaceGrowth).as("metaspace growth from resubmission 2 to 5 in MB (cancelled jobs' classes"
                + " not unloaded), metaspace " + metaspaceAfter).isLessThan(METASPACE_GROWTH_LIMIT_MB);

        // 2. SIGKILL the TaskManager while records stream, start a new one
        int before = produced.size();
        CompletableFuture<Void> slowProducer = CompletableFuture.runAsync(() -> produceSlowly(4 * PER_STEP, 40));
        awaitCommittedAtLeast(before + 10);
        taskManager.destroyForcibly();
        assertThat(taskManager.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int committedAtKill = committedIds().size();
        taskManager = flink.startTaskManager();
        slowProducer.get(60, TimeUnit.SECONDS);
        awaitExactlyOnce(jobId);
        assertThat(rest.exceptions(jobId).path("exceptionHistory").path("entries"))
                .as("the job saw the lost TaskManager").isNotEmpty();
        assertThat(rest.checkpoints(jobId).path("latest").path("restored").path("is_savepoint").asBoolean(true))
                .as("recovered from a checkpoint").isFalse();
        step("TaskManager SIGKILL at " + committedAtKill + "/" + produced.size() + " ids, new TaskManager", jobId, 1,
                taskManager);

        // 3. stop with a savepoint and resubmit from it: same parallelism, then 2 (two slots, two partitions)
        for (int parallelism : new int[] {1, 2}) {
            String savepoint = rest.stopWithSavepoint(jobId, flink.savepointDir(), Duration.ofSeconds(90));
            rest.awaitState(jobId, "FINISHED", Duration.ofSeconds(60));
            produce(PER_STEP);
            jobId = rest.runJar(jarId, args, parallelism, savepoint);
            awaitExactlyOnce(jobId);
            assertThat(rest.checkpoints(jobId).path("latest").path("restored").path("is_savepoint").asBoolean())
                    .as("restored from the savepoint").isTrue();
            for (JsonNode vertex : rest.job(jobId).path("vertices")) {
                if (vertex.path("name").asText().contains("embed")) {
                    assertThat(vertex.path("parallelism").asInt()).as(vertex.path("name").asText())
                            .isEqualTo(parallelism);
                }
            }
            step("savepoint restore at parallelism " + parallelism, jobId, parallelism, taskManager);
        }

        // 4. both slots on one shared session (one model per TaskManager), from a savepoint
        String savepoint = rest.stopWithSavepoint(jobId, flink.savepointDir(), Duration.ofSeconds(90));
        rest.awaitState(jobId, "FINISHED", Duration.ofSeconds(60));
        Path sharedYaml = work.resolve("job-shared.yaml");
        Files.writeString(sharedYaml, Files.readString(jobYaml)
                .replace("runtime:\n", "runtime:\n  share-model: true\n  parallel-runs: 2\n"));
        produce(PER_STEP);
        jobId = rest.runJar(jarId, List.of("--config", sharedYaml.toString()), 2, savepoint);
        awaitExactlyOnce(jobId);
        assertThat(Logs.grep(flink.logDir(), List.of("embedding instance(s) of this job in this TaskManager use one session")))
                .as("the TaskManager log's lines on the shared model")
                .anyMatch(line -> line.contains(": 2 embedding instance(s)"));
        step("savepoint restore at parallelism 2, one shared session", jobId, 2, taskManager);
        rest.cancel(jobId);
        rest.awaitState(jobId, "CANCELED", Duration.ofSeconds(60));
    }

    /**
     * After a step: the output is checked by awaitExactlyOnce; here the logs, the JobManager's
     * native libraries and the TaskManager's resident memory (printed). Returns the RSS in MB.
     */
    private long step(String name, String jobId, int parallelism, Process tm) throws IOException {
        List<String> forbidden = Logs.grep(flink.logDir(), FORBIDDEN);
        assertThat(forbidden).as("JobManager/TaskManager log lines after " + name).isEmpty();
        assertThat(FlinkStandaloneCluster.mappedCopies(flink.jobManager(), "libonnxruntime.so"))
                .as("ONNX Runtime in the JobManager").isEmpty();
        assertThat(FlinkStandaloneCluster.mappedCopies(flink.jobManager(), "libtokenizers.so"))
                .as("tokenizer in the JobManager").isEmpty();
        long rss = ProcessMemory.residentMegabytes(tm);
        String line = String.format("%-52s job %s p=%d: %3d ids produced, %3d committed, each once;"
                + " TaskManager RSS %d MB (metaspace %d MB)", name, jobId.substring(0, 8), parallelism,
                produced.size(), committedIds().size(), rss, ProcessMemory.metaspaceMegabytes(tm));
        report.add(line);
        System.out.println("FlinkClusterITCase: " + line);
        return rss;
    }

    private static String cancelAndGetRetainedCheckpoint(FlinkRest rest, String jobId) throws Exception {
        rest.cancel(jobId);
        rest.awaitState(jobId, "CANCELED", Duration.ofSeconds(60));
        String path = rest.checkpoints(jobId).path("latest").path("completed").path("external_path").asText("");
        assertThat(path).as("retained checkpoint of the cancelled job %s", jobId).isNotBlank();
        return path;
    }



    private void produce(int count) {
        Map<String, String> records = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = nextId();
            records.put(id, record(id));
        }
        kafka.produce(INPUT, records);
    }

    private void produceSlowly(int count, long pauseMs) {
        for (int i = 0; i < count; i++) {
            String id = nextId();
            kafka.produce(INPUT, Map.of(id, record(id)));
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static synchronized String nextId() {
        String id = String.format("r-%04d", produced.size() + 1);
        produced.add(id);
        return id;
    }

    private static String record(String id) {
        int n = Integer.parseInt(id.substring(2));
        return JSON.createObjectNode().put("id", id)
                .put("text", "Note " + n + ": a few words about " + TOPICS[n % TOPICS.length] + ".").toString();
    }

    private static synchronized List<String> producedSoFar() {
        return List.copyOf(produced);
    }

    /** Waits until every produced id is committed, then checks (after one more checkpoint) each is there once. */
    private static void awaitExactlyOnce(String jobId) throws Exception {
        List<String> expected = producedSoFar();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!committedIds().keySet().containsAll(expected)) {
            if (System.nanoTime() > deadline) {
                Map<String, Integer> committed = committedIds();
                Set<String> missing = expected.stream().filter(id -> !committed.containsKey(id))
                        .collect(Collectors.toCollection(java.util.TreeSet::new));
                throw new AssertionError("job " + jobId + ": " + missing.size() + " of " + expected.size()
                        + " ids not committed after 120 s, e.g. " + missing.stream().limit(10).toList());
            }
            Thread.sleep(500);
        }
        // anything written twice would be committed by the next checkpoint: look again after it
        awaitNextCheckpoint(jobId);
        Map<String, Integer> counts = committedIds();
        assertThat(counts.keySet()).as("ids in the output (read_committed)").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(counts.entrySet().stream().filter(e -> e.getValue() != 1).toList())
                .as("ids committed more than once").isEmpty();
        assertThat(kafka.readCommitted(DEAD_LETTERS)).as("dead letters").isEmpty();
    }

    private static void awaitNextCheckpoint(String jobId) throws Exception {
        FlinkRest rest = flink.rest();
        long completed = rest.checkpoints(jobId).path("counts").path("completed").asLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (rest.checkpoints(jobId).path("counts").path("completed").asLong() <= completed) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + jobId + " completed no checkpoint in 30 s");
            }
            Thread.sleep(200);
        }
    }

    private static void awaitCommittedAtLeast(int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (committedIds().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " ids committed after 60 s");
            }
            Thread.sleep(100);
        }
    }

    /** id -> how often it is in the output topic (read_committed); checks each record's embedding. */
    private static Map<String, Integer> committedIds() throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(OUTPUT)) {
            JsonNode value = JSON.readTree(record.value());
            JsonNode embedding = value.path("embedding");
            // the bundled int8 all-MiniLM-L6-v2, loaded from the cluster jar on the TaskManager
            assertThat(embedding.path("model").asText()).isEqualTo("all-minilm-l6-v2-q");
            assertThat(embedding.path("vector")).hasSize(384);
            counts.merge(value.path("id").asText(), 1, Integer::sum);
        }
        return counts;
    }

    private static void printLogs() {
        if (flink != null) {
            System.err.println("FlinkClusterITCase: logs under " + flink.logDir() + flink.logTails(80));
        }
        if (kafka != null) {
            System.err.println("----- " + kafka.log() + "\n" + Logs.tail(kafka.log(), 40));
        }
    }
}
