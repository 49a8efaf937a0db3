package io.leafembed.bench;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Contender (d) on Kafka: the whole job as users run it, {@code java -jar} on the self-contained
 * jar with a YAML configuration, Kafka -> Kafka with exactly-once delivery (the default), default
 * batching, against a real Kafka broker process ({@link KafkaBrokerProcess}, one per benchmark
 * run). Like the other contenders it runs one ONNX Runtime session on the benchmark's threads:
 * {@code runtime.parallelism: 1} (one input partition; a {@code java -jar} Kafka run would
 * otherwise take one slot per core, each with its own session), {@code runtime.parallel-runs} =
 * the threads and one intra-op thread per run (the library's fastest setting on 2 cores). Every run has its own topics, consumer group
 * (so its own transactional ids) and checkpoint folder, so nothing is resumed. The job is a
 * streaming (unbounded) one that the benchmark stops with SIGTERM once it has checked the output.
 *
 * <p>Throughput: the corpus is loaded into the input topic first (repeated, each copy with its own
 * ids, up to at least 2,000 records with {@code --quick} and 36,000 otherwise, so that the job runs
 * many windows and the timed span is past most of the JIT's warm-up: on 12,000 records the job's
 * compiler threads still used 0.09 (fp32) to 0.15 (int8) cores over the span and fp32 ran 280.5
 * texts/s, on 36,000 they used 0.04 and it ran 314.6), then the job starts
 * with the default checkpoint interval (10 s). A {@code read_uncommitted} consumer in this JVM
 * follows the output topic; the rate is the records that appeared after the poll that brought the
 * count to a third of them (a tenth with {@code --quick}), over the time from that poll to the one
 * that returned the last (the job process's CPU time over the same span gives the cores used).
 * That leaves out JVM and MiniCluster start-up, the model load, the first windows (the operator
 * assumes 5 ms a record until it has measured one) and most of the JIT's warm-up (on 24,000
 * records, fp32 ran 180 texts/s over the first half and 272 over the second), and needs one job
 * start instead of two (running a small and a full corpus and subtracting would double the start-ups, each several
 * seconds of noise on a busy machine). {@code read_uncommitted} sees results when the job's
 * producer sends them, not at the checkpoints that commit them, so the span measures the job's
 * rate, not the checkpoint interval. Then a {@code read_committed} consumer must find every id
 * exactly once (after the next checkpoint commits the last ones) and the dead-letter topic empty,
 * or the contender fails. Before the first timed run, an untimed one (4,000 records; 2,000 with
 * {@code --quick}) warms up the broker, a fresh JVM that shares the job's cores.
 *
 * <p>Latency ({@link #latencies}, after all rounds): a second job with a checkpoint every 1 s (the
 * default is 10 s: results would wait up to that long to be committed) is warmed up with 3,000
 * records (64 with {@code --quick}; with 64 the first third's p50 was up to 2.7x the last's),
 * then a paced producer sends the corpus at half the median rate the throughput runs measured (or at
 * {@code -Dleafembed.bench.kafka-latency-rate} records/s, to compare runs at one rate), for 10 s ({@code --quick}) or 30 s;
 * where the job's backlog grew at that rate, again at two thirds of it, at most twice. Per record: from just before the producer's {@code
 * send} to the first poll that returns the result, once for a {@code read_uncommitted} consumer
 * (batching wait, model and Kafka) and once for a {@code read_committed} one (plus the wait for
 * the checkpoint that commits it); p50 and p99 of each, with the cores the job used meanwhile, and
 * the read_uncommitted p50 of the first and the last third of the records: if the last is much
 * larger, the job did not keep up at that rate (a backlog grew) and the figures are no steady state.
 * Consumers poll with {@code fetch.max.wait.ms} 20, so a visibility time is late by little.
 */
final class KafkaJobRun implements AutoCloseable {

    static final String NAME = "(d) the job, java -jar, Kafka -> Kafka exactly-once";
    private static final int LATENCY_CHECKPOINT_MS = 1000;
    /** Warm-up records before the paced part: enough for the JIT to compile the hot paths. */
    private int warmUpRecords() {
        return quick ? 64 : 3000;
    }

    private final KafkaBrokerProcess broker;
    private final Path jobJar;
    private final Path work;
    private final int threads;
    private final boolean quick;
    private final List<ModelRuns> models = new ArrayList<>();
    private int runCount;
    private boolean brokerWarm;

    /** A model's texts and its throughput runs so far. */
    private record ModelRuns(BenchModel model, List<String> texts, long realTokens, List<Measurement> runs) {}

    private KafkaJobRun(KafkaBrokerProcess broker, Path jobJar, Path work, int threads, boolean quick) {
        this.broker = broker;
        this.jobJar = jobJar;
        this.work = work;
        this.threads = threads;
        this.quick = quick;
    }

    /**
     * Starts the broker, or says why the contender is skipped (no job jar, no broker jars) and
     * returns empty.
     */
    static Optional<KafkaJobRun> start(Path repo, Path jobJar, Path work, int threads, boolean quick)
            throws Exception {
        Path lib = repo.resolve("integration-tests/kafka-broker-lib/target/lib");
        if (!Files.isRegularFile(jobJar) || !Files.isDirectory(lib)) {
            System.out.println("(d) on Kafka skipped: no " + (Files.isRegularFile(jobJar) ? lib : jobJar)
                    + " (build with mvn -B -ntp -q package -DskipTests from the repository root)");
            return Optional.empty();
        }
        Path dir = work.resolve("kafka");
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(lib, dir.resolve("broker"));
        return Optional.of(new KafkaJobRun(broker, jobJar, dir, threads, quick));
    }

    /** The timed throughput run for {@code model}; its results also set the latency run's rate. */
    SpeedBenchmark.Contender contender(BenchModel model, List<String> texts, long realTokens) {
        ModelRuns runs = new ModelRuns(model, texts, realTokens, new ArrayList<>());
        models.add(runs);
        return () -> {
            Measurement m = throughput(runs);
            runs.runs().add(m);
            return m;
        };
    }

    private Measurement throughput(ModelRuns m) throws Exception {
        if (!brokerWarm) {
            // the broker is a fresh JVM: over its first job it JIT-compiles its own hot paths
            // (0.18-0.24 cores in a first round against 0.08-0.12 later), and those cores are
            // the job's, so the first contender on Kafka would be slower for no reason of its own
            brokerWarm = true;
            Measurement untimed = run(m, quick ? 2000 : 4000, null);
            System.out.printf(Locale.ROOT, "(d) on Kafka: the broker warmed up with an untimed job (%.1f texts/s)%n",
                    untimed.textsPerSecond());
        }
        // -Dleafembed.bench.kafka-records=N: another length (the span after the first third of a shorter
        // run has more of the JIT's warm-up in it)
        return run(m, timedRecords(), null);
    }

    private int timedRecords() {
        return Integer.getInteger("leafembed.bench.kafka-records", quick ? 2000 : 36_000);
    }

    /**
     * An untimed run of the job on {@code model}'s texts with {@code profile} sampling the job's
     * process over the span the timed runs measure; nothing if the job did not run on that model.
     */
    void profile(BenchModel model, CpuProfile profile) throws Exception {
        Optional<ModelRuns> m = models.stream().filter(r -> r.model() == model).findFirst();
        if (m.isPresent()) {
            run(m.get(), timedRecords(), profile);
        }
    }

    private Measurement run(ModelRuns m, int minRecords, CpuProfile profile) throws Exception {
        int copies = (minRecords + m.texts().size() - 1) / m.texts().size();
        int records = copies * m.texts().size();
        String run = "throughput" + (++runCount);
        Path dir = freshDir(run);
        broker.createTopics(run + "-texts", run + "-vectors", run + "-vectors-dead-letters");
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                sent.add(send(producer, run + "-texts", run + "-" + i, m.texts().get(i % m.texts().size())));
            }
            producer.flush();
            for (Future<?> f : sent) {
                f.get();
            }
        }
        Path config = writeConfig(dir, m.model(), run, null);
        Span span = new Span(records / (quick ? 10 : 3), records);
        boolean profiling = false;
        long started = System.nanoTime();
        try (BackgroundProcess job = BackgroundProcess.start("the Kafka job", command(config), dir, "job.log",
                environment());
                VisibleRecords seen = new VisibleRecords(broker.bootstrapServers(), run + "-vectors",
                        "read_uncommitted")) {
            long deadline = started + Duration.ofSeconds(quick ? 600 : 1800).toNanos();
            for (int count = 0; count < records; ) {
                if (!job.isAlive() || System.nanoTime() > deadline) {
                    throw job.failure("only " + count + " of " + records + " results appeared (read_uncommitted)");
                }
                count = seen.poll(Duration.ofMillis(20));
                boolean timing = span.firstCount >= 0;
                span.observe(count, job, broker);
                if (profile != null && !timing && span.firstCount >= 0 && count < records) {
                    profile.startIn(job.pid());
                    profiling = true;
                }
            }
            if (profiling) {
                profile.stopIn(job.pid(), m.model().name(), NAME);
            }
            checkExactlyOnce(run, records, job);
        }
        KafkaBrokerProcess.deleteTree(dir);
        int measured = span.lastCount - span.firstCount;
        if (measured <= 0) {
            throw new IllegalStateException("the Kafka job's results all appeared at once (one window): use more texts");
        }
        return new Measurement(NAME, m.model().name(), measured, m.realTokens() * copies * measured / records, 0,
                span.lastNanos - span.firstNanos, span.lastCpu - span.firstCpu,
                String.format(Locale.ROOT, "read_uncommitted, results after the first " + (quick ? "tenth" : "third") + " (%d of %d records,"
                        + " corpus x%d, from %.1f s after the start); every id once (read_committed); meanwhile the"
                        + " broker used %.2f cores and the benchmark's JVM (producer done, consumer) %.2f; of the job's"
                        + " cores, its JIT compiler threads %.2f and its GC threads %.2f", measured, records, copies,
                        (span.firstNanos - started) / 1e9, span.brokerCores(), span.benchmarkCores(),
                        span.jitCores(), span.gcCores()));
    }

    /**
     * The time and job CPU when the first third (tenth) of the results had appeared and when the
     * count last grew; also the CPU of the broker and of this JVM over the same span, since they
     * share the machine's cores with the job (the local file job has them to itself).
     */
    private static final class Span {
        private final int skip;
        private final int records;
        int firstCount = -1;
        ThreadCpu firstThreads = ThreadCpu.NONE;
        ThreadCpu lastThreads = ThreadCpu.NONE;
        long firstNanos;
        long firstCpu;
        long firstBrokerCpu;
        long firstOwnCpu;
        int lastCount;
        long lastNanos;
        long lastCpu;
        long lastBrokerCpu;
        long lastOwnCpu;

        Span(int skip, int records) {
            this.skip = Math.max(1, skip);
            this.records = records;
        }

        void observe(int count, BackgroundProcess job, KafkaBrokerProcess broker) {
            if (firstCount < 0 && count >= skip) {
                firstCount = count;
                firstNanos = System.nanoTime();
                firstCpu = job.cpuNanos();
                firstBrokerCpu = broker.cpuNanos();
                firstOwnCpu = CpuClock.processCpuNanos();
                firstThreads = job.threadCpu();
            } else if (firstCount >= 0 && count > Math.max(lastCount, firstCount)) {
                lastCount = count;
                lastNanos = System.nanoTime();
                lastCpu = job.cpuNanos();
                lastBrokerCpu = broker.cpuNanos();
                lastOwnCpu = CpuClock.processCpuNanos();
                if (count == records) { // the span's end: read /proc once, not on every poll
                    lastThreads = job.threadCpu();
                }
            }
        }

        double jitCores() {
            return lastThreads.jitCoresSince(firstThreads, lastNanos - firstNanos);
        }

        double gcCores() {
            return lastThreads.gcCoresSince(firstThreads, lastNanos - firstNanos);
        }

        double brokerCores() {
            return (double) (lastBrokerCpu - firstBrokerCpu) / (lastNanos - firstNanos);
        }

        double benchmarkCores() {
            return (double) (lastOwnCpu - firstOwnCpu) / (lastNanos - firstNanos);
        }
    }

    /**
     * Every id of the run exactly once for read_committed readers (waiting for the checkpoint that
     * commits the last results), and no dead letters; or a loud failure.
     */
    private void checkExactlyOnce(String run, int records, BackgroundProcess job) throws Exception {
        try (VisibleRecords committed = new VisibleRecords(broker.bootstrapServers(), run + "-vectors",
                        "read_committed");
                VisibleRecords dead = readToEnd(run + "-vectors-dead-letters")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (committed.distinctKeys() < records || !committed.atEnd()) {
                if (!job.isAlive() || System.nanoTime() > deadline) {
                    throw job.failure("only " + committed.distinctKeys() + " of " + records
                            + " results were committed (read_committed)");
                }
                committed.poll(Duration.ofMillis(200));
            }
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < records && missing.size() < 10; i++) {
                if (committed.firstSeen(run + "-" + i) == null) {
                    missing.add(run + "-" + i);
                }
            }
            if (!missing.isEmpty() || committed.distinctKeys() != records || !committed.duplicates().isEmpty()
                    || dead.distinctKeys() > 0) {
                throw new IllegalStateException(String.format(Locale.ROOT, "the Kafka job did not deliver exactly"
                        + " once: %d records in, %d distinct ids committed, missing e.g. %s, duplicated %s, %d dead"
                        + " letters", records, committed.distinctKeys(), missing, committed.duplicates(),
                        dead.distinctKeys()));
            }
        }
    }

    private VisibleRecords readToEnd(String topic) throws InterruptedException {
        VisibleRecords records = new VisibleRecords(broker.bootstrapServers(), topic, "read_committed");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!records.atEnd()) {
            if (System.nanoTime() > deadline) {
                records.close();
                throw new IllegalStateException("could not read " + topic + " to its end (read_committed) in 60 s");
            }
            records.poll(Duration.ofMillis(200));
        }
        return records;
    }

    /**
     * For every model, in the order given: per-record latency through the job at half its median
     * throughput (or less, see {@link #latency}), as a row of the report's Kafka latency table.
     */
    List<String> latencies() throws Exception {
        List<String> rows = new ArrayList<>();
        for (ModelRuns m : models) {
            if (!m.runs().isEmpty()) {
                rows.add(latency(m));
            }
        }
        return rows;
    }

    /** Tries at a rate the job did not keep up with before the reported one. */
    private static final int LATENCY_RETRIES = 2;

    /**
     * The latency row of {@code m}: at half its median throughput, or, when the job did not keep up
     * there (its backlog grew: the last third waited much longer than the first), at two thirds of
     * the rate before, at most {@link #LATENCY_RETRIES} times, so that the row shows a steady
     * state where there is one and says which rates had none.
     */
    private String latency(ModelRuns m) throws Exception {
        List<Measurement> sorted = new ArrayList<>(m.runs());
        sorted.sort(Comparator.comparingDouble(Measurement::textsPerSecond));
        double throughput = sorted.get((sorted.size() - 1) / 2).textsPerSecond();
        // -Dleafembed.bench.kafka-latency-rate=N paces at N records/s instead (to compare runs at one rate)
        String fixed = System.getProperty("leafembed.bench.kafka-latency-rate");
        double rate = fixed != null ? Double.parseDouble(fixed) : throughput / 2;
        List<String> notKeptUp = new ArrayList<>();
        for (int attempt = 0; ; attempt++) {
            LatencyRun run = latencyAt(m, rate);
            if (fixed != null || run.keptUp() || attempt == LATENCY_RETRIES) {
                String how = fixed != null ? "(fixed)" : String.format(Locale.ROOT, "(%.0f%% of %.1f%s%s)",
                        100 * rate / throughput, throughput, notKeptUp.isEmpty() ? ""
                                : "; no steady state at " + String.join(", ", notKeptUp),
                        run.keptUp() ? "" : "; no steady state at this rate either");
                return run.row(m.model().name(), rate, how);
            }
            notKeptUp.add(String.format(Locale.ROOT, "%.0f/s (p50 first / last third %.0f / %.0f ms)", rate,
                    run.firstThird(), run.lastThird()));
            System.out.printf(Locale.ROOT, "  kafka latency, %s: no steady state at %.1f records/s; trying %.1f%n",
                    m.model().name(), rate, rate * 2 / 3);
            rate = rate * 2 / 3;
        }
    }

    /** One paced run's latencies (ms) and the job's CPU cores over it. */
    private record LatencyRun(int records, double seconds, double p50, double p99, double firstThird,
            double lastThird, double committedP50, double committedP99, double cores) {

        /** A job that keeps up has no growing backlog: its last third waits about as long as its first. */
        boolean keptUp() {
            return lastThird <= 2 * firstThird + 100;
        }

        String row(String model, double rate, String how) {
            return String.format(Locale.ROOT, "| %s | %.1f %s | %d in %.1f s | %.1f | %.1f | %.0f / %.0f |"
                    + " %.1f | %.1f | %.2f |", model, rate, how, records, seconds, p50, p99, firstThird, lastThird,
                    committedP50, committedP99, cores);
        }
    }

    private LatencyRun latencyAt(ModelRuns m, double rate) throws Exception {
        int records = (int) Math.max(10, Math.round(rate * (quick ? 10 : 30)));
        String run = "latency" + (++runCount);
        Path dir = freshDir(run);
        broker.createTopics(run + "-texts", run + "-vectors", run + "-vectors-dead-letters");
        Path config = writeConfig(dir, m.model(), run, LATENCY_CHECKPOINT_MS);
        try (BackgroundProcess job = BackgroundProcess.start("the Kafka job", command(config), dir, "job.log",
                environment());
                VisibleRecords visible = new VisibleRecords(broker.bootstrapServers(), run + "-vectors",
                        "read_uncommitted").follow();
                VisibleRecords committed = new VisibleRecords(broker.bootstrapServers(), run + "-vectors",
                        "read_committed").follow();
                KafkaProducer<String, String> producer = producer()) {
            List<String> warmUp = new ArrayList<>();
            for (int i = 0; i < warmUpRecords(); i++) {
                warmUp.add("warm-" + i);
                send(producer, run + "-texts", "warm-" + i, m.texts().get(i % m.texts().size()));
            }
            producer.flush();
            awaitAll(committed, warmUp, job, Duration.ofSeconds(300));

            long[] sentNanos = new long[records];
            List<String> ids = new ArrayList<>();
            long cpuStart = job.cpuNanos();
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                long due = start + (long) (i * 1e9 / rate);
                for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(due - now);
                }
                String id = run + "-" + i;
                ids.add(id);
                sentNanos[i] = System.nanoTime();
                send(producer, run + "-texts", id, m.texts().get((i + warmUpRecords()) % m.texts().size()));
            }
            long paced = System.nanoTime() - start;
            double cores = (double) (job.cpuNanos() - cpuStart) / paced;
            producer.flush();
            awaitAll(committed, ids, job, Duration.ofSeconds(120));
            awaitAll(visible, ids, job, Duration.ofSeconds(10));
            if (!committed.duplicates().isEmpty()) {
                throw new IllegalStateException("read_committed saw ids more than once: " + committed.duplicates());
            }
            long[] toVisible = new long[records];
            long[] toCommitted = new long[records];
            for (int i = 0; i < records; i++) {
                toVisible[i] = visible.firstSeen(ids.get(i)) - sentNanos[i];
                toCommitted[i] = committed.firstSeen(ids.get(i)) - sentNanos[i];
            }
            // a job that does not keep up shows a growing backlog: the last third waits longer than the first
            int third = Math.max(1, records / 3);
            double firstThird = percentile(java.util.Arrays.copyOfRange(toVisible, 0, third), 0.5);
            double lastThird = percentile(java.util.Arrays.copyOfRange(toVisible, records - third, records), 0.5);
            job.logLines("leaf-embed: ").forEach(l -> System.out.println("  kafka job, " + m.model().name() + ": " + l));
            return new LatencyRun(records, paced / 1e9, percentile(toVisible, 0.50), percentile(toVisible, 0.99),
                    firstThird, lastThird, percentile(toCommitted, 0.50), percentile(toCommitted, 0.99), cores);
        } finally {
            KafkaBrokerProcess.deleteTree(dir); // the job has stopped; a failure's log tail is in its exception
        }
    }

    /** The header of the table {@link #latencies} fills. */
    static String latencyHeader() {
        return "| model | records/s produced | records | to read_uncommitted p50 ms | p99 ms | p50 first / last third"
                + " | to read_committed p50 ms | p99 ms | CPU cores used |\n|---|---|---|---|---|---|---|---|---|";
    }

    private static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)] / 1e6;
    }

    private static void awaitAll(VisibleRecords records, List<String> ids, BackgroundProcess job, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = 0;
        while (true) {
            records.check();
            while (next < ids.size() && records.firstSeen(ids.get(next)) != null) {
                next++;
            }
            if (next == ids.size()) {
                return;
            }
            if (!job.isAlive() || System.nanoTime() > deadline) {
                throw job.failure(String.format(Locale.ROOT, "%d of %d records were not visible after %d s (%s)",
                        ids.size() - next, ids.size(), timeout.toSeconds(), ids.get(next)));
            }
            Thread.sleep(20);
        }
    }

    private Path freshDir(String run) throws IOException {
        Path dir = work.resolve(run);
        KafkaBrokerProcess.deleteTree(dir);
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * The job's YAML: the run's topics and group, exactly-once, a fresh checkpoint folder, this
     * benchmark's model files and threads; batching as the defaults. {@code checkpointMs} null
     * keeps the default interval.
     */
    private Path writeConfig(Path dir, BenchModel model, String run, Integer checkpointMs)
            throws IOException {
        List<String> yaml = new ArrayList<>(List.of(
                "kafka:",
                "  bootstrap-servers: " + broker.bootstrapServers(),
                "  source:",
                "    topics: " + run + "-texts",
                "    group-id: " + run,
                "    starting-offsets: earliest",
                "  sink:",
                "    topic: " + run + "-vectors",
                "    delivery-guarantee: exactly-once",
                "runtime:",
                "  parallelism: 1",
                "  checkpoint-dir: '" + dir.resolve("checkpoints") + "'",
                "  intra-op-threads: 1",
                "  parallel-runs: " + threads,
                "input:",
                "  format: jsonl",
                "model:",
                "  max-length: " + BenchModel.MAX_LENGTH));
        if (checkpointMs != null) {
            yaml.add(yaml.indexOf("runtime:") + 1, "  checkpoint-interval-ms: " + checkpointMs);
        }
        if (model.modelDir() != null) {
            yaml.add("  dir: '" + model.modelDir() + "'");
            if (model.dtype().equals("q8")) {
                yaml.add("  onnx-variant: int8");
            }
        } else {
            yaml.add("  onnx-file: '" + model.onnx() + "'");
            yaml.add("  tokenizer-file: '" + model.tokenizer() + "'");
        }
        Path file = dir.resolve("job.yaml");
        Files.write(file, yaml);
        return file;
    }

    private List<String> command(Path config) {
        List<String> command = new ArrayList<>(List.of(LocalJobRun.javaBinary(), "-jar", jobJar.toString(),
                "--config", config.toString()));
        command.addAll(LocalJobRun.extraJobArgs());
        return command;
    }

    private static Map<String, String> environment() {
        return Map.of("ORT_DISABLE_TELEMETRY", "1", "OPT_OUT_TRACKING", "true");
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // the paced records leave at once
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** One input record as the job's jsonl format reads it, keyed by its id. */
    private static Future<?> send(KafkaProducer<String, String> producer, String topic, String id, String text) {
        JsonObject value = new JsonObject();
        value.addProperty("id", id);
        value.addProperty("text", text);
        return producer.send(new ProducerRecord<>(topic, id, value.toString()));
    }

    @Override
    public void close() throws Exception {
        broker.close();
    }
}
