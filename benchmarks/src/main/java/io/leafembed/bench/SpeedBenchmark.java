package io.leafembed.bench;

import io.leafembed.inference.LayerNormFusionGuard;
import io.leafembed.batching.BatchListener;
import io.leafembed.batching.BatchPlanner;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.TextInput;
import io.leafembed.function.BatchingOptions;
import io.leafembed.inference.GraphOptimization;
import io.leafembed.inference.SessionSettings;
import io.leafembed.testutils.LeafShapedModel;
import ai.onnxruntime.OrtSession;
import io.leafembed.tokenize.TextTokenizer;
import io.leafembed.tokenize.TokenizedText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * leaf-embed's speed benchmark: one interleaved run of every contender on the same corpus, the same
 * model files and the same cores, printed as one table and written to {@code
 * benchmarks/target/report.md} (plus {@code report.png}). Contenders, per model:
 * (a) raw ONNX Runtime on pre-tokenized, length-sorted batches (the ceiling; best of a small sweep
 * of batch size and threads; also one text per run, the best a one-at-a-time loop can do), (b)
 * the library ({@code Embedder.embed} in calls of 1,024 texts, the operator's default window, and
 * of 256), (c) the Flink operator on a MiniCluster (default batching, and without the latency
 * budget), (d) the job jar in local mode on a file and (letter k) Kafka -> Kafka exactly-once
 * against a broker process (see KafkaJobRun), (e) LangChain4j's {@code embedAll}, (f)
 * transformers.js at batch 1 and 32. Rounds alternate the contenders (their
 * order rotates each round) so that a busy machine slows all of them alike; each row is the median
 * over rounds. Then single-query latency through the library (one intra-op thread and the
 * benchmark's threads; the corpus's short queries, and queries of 1 to 64 words fitted to a fixed
 * cost plus a cost per token) and the padding each batch plan gives on the corpus's real token
 * counts.
 *
 * <p>Run from the repository root after {@code mvn -B -ntp -q package -DskipTests}: {@code java -jar
 * benchmarks/target/leaf-embed-benchmarks.jar --quick} (about 2 minutes) or without {@code --quick}.
 * Options: {@code --texts N}, {@code --rounds N}, {@code --threads N}, {@code --corpus FILE}, {@code
 * --skip a,b,c,d,k,kl,e,f,fp32,int8,leaf} (k: the Kafka job, kl: its latency part; fp32, int8,
 * leaf: a model); {@code --profile} adds where the CPU of (a), (b), (c) and the Kafka job goes (see CpuProfile);
 * {@code --tuning} runs instead the raw ceiling with ONNX Runtime session variants (thread spinning
 * on/off x graph optimization all/extended/basic, one run of all threads; and the three levels with
 * one-thread runs at once, the library's configuration), interleaved; {@code --tuning-batches} the
 * planner's batch limits in that configuration, raw and through the library, and its run cost on
 * windows planned as the operator plans them.
 */
public final class SpeedBenchmark {

    private final Settings settings;
    private final Path repo;
    private final Path work;
    private final List<Measurement> results = new ArrayList<>();
    private KafkaJobRun kafka; // contender (d) on Kafka, null when skipped

    private SpeedBenchmark(Settings settings, Path repo) {
        this.settings = settings;
        this.repo = repo;
        this.work = repo.resolve("benchmarks/target/bench");
    }

    /** Command-line settings. */
    record Settings(boolean quick, boolean tuning, boolean batchTuning, boolean profile, int texts, int rounds,
            int threads, Path corpus, List<String> skip) {

        static Settings parse(String[] args) {
            boolean quick = Arrays.asList(args).contains("--quick");
            boolean batchTuning = Arrays.asList(args).contains("--tuning-batches");
            boolean tuning = batchTuning || Arrays.asList(args).contains("--tuning");
            boolean profile = Arrays.asList(args).contains("--profile");
            int texts = quick ? 400 : 3000;
            int rounds = quick ? 1 : 3;
            int threads = Runtime.getRuntime().availableProcessors();
            Path corpus = null;
            List<String> skip = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick", "--tuning", "--tuning-batches", "--profile" -> { }
                    case "--texts" -> texts = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    case "--corpus" -> corpus = Path.of(args[++i]);
                    case "--skip" -> skip.addAll(Arrays.asList(args[++i].split(",")));
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --quick,"
                            + " --texts N, --rounds N, --threads N, --corpus FILE, --skip a,b,c,d,k,kl,e,f,fp32,int8,leaf, --tuning,"
                            + " --tuning-batches, --profile");
                }
            }
            if (texts < 128) {
                throw new IllegalArgumentException("--texts must be at least 128");
            }
            return new Settings(quick, tuning, batchTuning, profile, texts, rounds, threads, corpus, skip);
        }

        boolean runs(String part) {
            return !skip.contains(part);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        Path repo = Path.of("").toAbsolutePath();
        if (!Files.isDirectory(repo.resolve("benchmarks"))) {
            repo = repo.getParent();
        }
        try {
            new SpeedBenchmark(settings, repo).run();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // runs the shutdown hooks that stop the Kafka broker
        }
        System.exit(0); // Flink and ONNX Runtime leave non-daemon threads behind
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        Path models = repo.resolve("benchmarks/target/models");
        if (!Files.isDirectory(models.resolve("all-minilm-l6-v2"))) {
            throw new IllegalStateException("no models under " + models + ": build first with"
                    + " mvn -B -ntp -q package -DskipTests (from the repository root)");
        }
        double loadBefore = CpuClock.loadAverage();
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        BenchModel fp32 = new BenchModel("all-MiniLM-L6-v2 fp32", models.resolve("all-minilm-l6-v2/all-minilm-l6-v2.onnx"),
                models.resolve("all-minilm-l6-v2/all-minilm-l6-v2-tokenizer.json"), null, "fp32");
        BenchModel int8 = new BenchModel("all-MiniLM-L6-v2 int8", models.resolve("all-minilm-l6-v2-q/all-minilm-l6-v2-q.onnx"),
                fp32.tokenizer(), null, "q8");
        List<BenchModel> benchModels = new ArrayList<>();
        if (settings.runs("fp32")) {
            benchModels.add(fp32);
        }
        if (settings.runs("int8")) {
            benchModels.add(int8);
        }
        if (settings.runs("leaf")) {
            System.setProperty("leafembed.testModels", models.toString());
            Path leaf = LeafShapedModel.directory();
            benchModels.add(new BenchModel("leaf-shaped fp32 (+Dense 1024)", leaf.resolve("onnx/model.onnx"),
                    leaf.resolve("tokenizer.json"), leaf, "fp32"));
        }

        List<String> texts = new ArrayList<>();
        List<TokenizedText> tokenized = new ArrayList<>();
        loadCorpus(fp32, texts, tokenized);
        long realTokens = tokenized.stream().mapToLong(TokenizedText::length).sum();
        int[] lengths = tokenized.stream().mapToInt(TokenizedText::length).toArray();
        System.out.printf(Locale.ROOT, "corpus: %d texts, %d tokens (mean %.1f, median %d, max %d); %d round(s), %d"
                + " threads%n", texts.size(), realTokens, (double) realTokens / texts.size(), median(lengths),
                Arrays.stream(lengths).max().getAsInt(), settings.rounds(), settings.threads());

        Optional<TransformersJsRun> js = settings.runs("f") ? TransformersJsRun.prepare(repo, work, fp32, int8)
                : Optional.empty();
        Path jobJar = repo.resolve("job/target/leaf-embed-job-0.1.0-SNAPSHOT.jar");
        boolean job = settings.runs("d") && Files.isRegularFile(jobJar);
        if (settings.runs("d") && !job) {
            System.out.println("(d) skipped: no " + jobJar + " (build with mvn -B -ntp -q package -DskipTests)");
        }

        Map<BenchModel, List<Contender>> contenders = new LinkedHashMap<>();
        List<AutoCloseable> open = new ArrayList<>();
        if (settings.runs("k") && !settings.tuning()) {
            kafka = KafkaJobRun.start(repo, jobJar, work, settings.threads(), settings.quick()).orElse(null);
            if (kafka != null) {
                open.add(kafka);
            }
        }
        for (BenchModel model : benchModels) {
            contenders.put(model, contenders(model, texts, tokenized, realTokens, js, job ? jobJar : null, open));
        }
        for (int round = 0; round < settings.rounds(); round++) {
            for (Map.Entry<BenchModel, List<Contender>> entry : contenders.entrySet()) {
                List<Contender> order = new ArrayList<>(entry.getValue());
                java.util.Collections.rotate(order, -round);
                for (Contender contender : order) {
                    Measurement m = contender.run();
                    results.add(m);
                    System.out.printf(Locale.ROOT, "round %d  %-32s %-40s %7.1f texts/s  %4.2f cores%n", round + 1,
                            m.model(), m.contender(), m.textsPerSecond(), m.coresUsed());
                    if (m.contender().equals(KafkaJobRun.NAME)) {
                        System.out.println("         " + m.note());
                    }
                }
            }
        }
        List<String> latency = new ArrayList<>();
        List<String> byLength = new ArrayList<>();
        if (settings.runs("b") && !settings.tuning()) {
            for (BenchModel model : benchModels) {
                // one thread is what a slot runs by default; more split each op across threads,
                // which is faster at the median but waits for whichever thread the OS preempts
                for (int threads : settings.threads() > 1 ? new int[] {1, settings.threads()} : new int[] {1}) {
                    // one text cannot be split across runs: all threads in one run
                    try (Embedder embedder = Embedder.open(model.options(threads, 1).build())) {
                        latency.add(latency(model, embedder, texts, threads));
                        byLength.add(LatencyByLength.row(model.name(), embedder, threads, settings.quick()));
                    }
                }
            }
        }
        if (!byLength.isEmpty()) {
            byLength.add(0, LatencyByLength.intro());
        }
        List<String> kafkaLatency = kafka != null && settings.runs("kl") ? kafka.latencies() : List.of();
        Optional<CpuProfile> profile = settings.profile() && !settings.tuning() ? CpuProfile.open(work) : Optional.empty();
        if (profile.isPresent()) {
            for (BenchModel model : benchModels) {
                profile(model, texts, tokenized, profile.get());
            }
        }
        for (AutoCloseable c : open) {
            c.close();
        }
        Report report = new Report(results, latency, byLength, kafkaLatency, PlannerReplay.table(lengths), started, loadBefore,
                CpuClock.loadAverage(), settings, texts.size(), realTokens, lengths);
        String markdown = report.markdown() + profile.map(CpuProfile::markdown).orElse("");
        Files.writeString(repo.resolve("benchmarks/target/report.md"), markdown);
        try {
            BarChart.write(report.headline(), repo.resolve("benchmarks/target/report.png"));
        } catch (Exception | Error e) { // a JDK without fonts cannot draw text
            System.out.println("no chart: " + e);
        }
        System.out.println();
        System.out.println(markdown);
        System.out.println("written: benchmarks/target/report.md, benchmarks/target/report.png");
    }

    /** One contender's timed run (warm-up already done). */
    @FunctionalInterface
    interface Contender {
        Measurement run() throws Exception;
    }

    private List<Contender> contenders(BenchModel model, List<String> texts, List<TokenizedText> tokenized,
            long realTokens, Optional<TransformersJsRun> js, Path jobJar, List<AutoCloseable> open) throws Exception {
        List<Contender> list = new ArrayList<>();
        int threads = settings.threads();
        if (settings.batchTuning()) {
            return batchTuning(model, texts, tokenized, realTokens, open);
        }
        if (settings.tuning()) {
            // session settings the library could change, interleaved on the ceiling's best plan
            int[] lengths = tokenized.stream().mapToInt(TokenizedText::length).toArray();
            List<int[]> plan = new BatchPlanner(64, 16_384).plan(lengths);
            for (boolean spinning : new boolean[] {true, false}) {
                for (OrtSession.SessionOptions.OptLevel level : List.of(OrtSession.SessionOptions.OptLevel.ALL_OPT,
                        OrtSession.SessionOptions.OptLevel.EXTENDED_OPT, OrtSession.SessionOptions.OptLevel.BASIC_OPT)) {
                    RawOrtCeiling raw = warmRaw(new RawOrtCeiling(model, threads, spinning, level), tokenized, open);
                    String name = "(a) raw ORT, padded-cost plan, " + level + (spinning ? ", spinning" : ", no spinning");
                    list.add(() -> timedRaw(name, model, raw, tokenized, realTokens, plan, "tuning variant"));
                }
            }
            if (threads > 1) {
                // the library's and the job's own configuration: one-thread runs at once, no pool to spin
                for (OrtSession.SessionOptions.OptLevel level : List.of(OrtSession.SessionOptions.OptLevel.ALL_OPT,
                        OrtSession.SessionOptions.OptLevel.EXTENDED_OPT, OrtSession.SessionOptions.OptLevel.BASIC_OPT)) {
                    RawOrtCeiling single = warmRaw(new RawOrtCeiling(model, 1, false, level), tokenized, open);
                    String name = "(a) raw ORT, padded-cost plan, " + level + ", " + threads + " runs at once x 1 thr";
                    list.add(() -> timedRaw(name, model, tokenized, realTokens, plan, "tuning variant",
                            () -> single.runConcurrently(tokenized, plan, threads)));
                }
            }
            // the library itself (its default runs) at the levels that matter
            for (GraphOptimization level : List.of(GraphOptimization.AUTO, GraphOptimization.ALL, GraphOptimization.BASIC)) {
                SessionSettings runs = model.options(threads).build().session();
                Embedder embedder = warmLibrary(model.options(threads).session(new SessionSettings(
                        runs.intraOpThreads(), runs.interOpThreads(), level, false, 0, runs.parallelRuns())), texts, open);
                list.add(() -> library(model, embedder, texts, 1024).asVariant(level.toString()));
            }
            return list;
        }
        if (settings.runs("a")) {
            int[] batchSizes = settings.quick() ? new int[] {32} : new int[] {8, 32, 64};
            int[] threadCounts = settings.quick() || threads == 1 ? new int[] {threads} : new int[] {1, threads};
            int[] lengths = tokenized.stream().mapToInt(TokenizedText::length).toArray();
            for (int t : threadCounts) {
                RawOrtCeiling raw = warmRaw(new RawOrtCeiling(model, t), tokenized, open);
                for (int batch : batchSizes) {
                    String name = "(a) raw ORT, sorted, batch " + batch + ", " + t + " thr";
                    List<int[]> plan = RawOrtCeiling.fixedPlan(tokenized, batch, true);
                    list.add(() -> timedRaw(name, model, raw, tokenized, realTokens, plan, "whole corpus sorted"));
                }
                if (t == threads) {
                    List<int[]> plan = new BatchPlanner(64, 16_384).plan(lengths);
                    list.add(() -> timedRaw("(a) raw ORT, padded-cost plan, " + t + " thr", model, raw, tokenized,
                            realTokens, plan, "whole corpus, this planner, up to 64 texts"));
                }
                if (t == threads && threads > 1) {
                    // several one-thread runs at once: what the library's parallel runs do, at both levels
                    // its default (auto) may pick, so the ceiling is the best of them
                    // (and at all with the layer norms kept decomposed, auto's pick for int8 graphs)
                    for (String variant : List.of("all", "basic", "decomposed")) {
                        RawOrtCeiling single = warmRaw(new RawOrtCeiling(model, 1, true,
                                variant.equals("basic") ? OrtSession.SessionOptions.OptLevel.BASIC_OPT
                                        : OrtSession.SessionOptions.OptLevel.ALL_OPT,
                                variant.equals("decomposed")), tokenized, open);
                        List<int[]> plan = new BatchPlanner(64, 16_384).plan(lengths);
                        String suffix = switch (variant) {
                            case "basic" -> ", basic";
                            case "decomposed" -> ", all, layer norms decomposed";
                            default -> "";
                        };
                        list.add(() -> timedRaw("(a) raw ORT, padded-cost plan, " + t + " runs at once x 1 thr"
                                + suffix, model, tokenized, realTokens, plan,
                                "whole corpus, this planner, up to 64 texts", () -> single.runConcurrently(tokenized,
                                        plan, t)));
                    }
                }
                if (t == threads) {
                    // what a loop of one text per run (LangChain4j's embedAll) can reach at best
                    List<int[]> plan = RawOrtCeiling.fixedPlan(tokenized, 1, false);
                    list.add(() -> timedRaw("raw ORT, one text per run, " + t + " thr", model, raw, tokenized,
                            realTokens, plan, "no padding, no batching"));
                }
                if (!settings.quick() && t == threads) {
                    List<int[]> plan = RawOrtCeiling.fixedPlan(tokenized, 32, false);
                    list.add(() -> timedRaw("raw ORT, arrival order, batch 32, " + t + " thr", model, raw, tokenized,
                            realTokens, plan, "arrival order"));
                }
            }
        }
        if (settings.runs("b")) {
            Embedder embedder = warmLibrary(model.options(threads), texts, open);
            // calls of 1,024 texts: the operator's default window; 256 shows what a smaller window costs
            list.add(() -> library(model, embedder, texts, 1024));
            list.add(() -> library(model, embedder, texts, 256));
        }
        if (settings.runs("c")) {
            list.add(() -> OperatorOnMiniCluster.run(model, texts, threads, BatchingOptions.defaults(),
                    "(c) Flink operator, MiniCluster"));
            // the latency budget (1 s) caps a window at what the model embeds in a second; without it
            // windows close at 1,024 records (or the end of input): the throughput the budget costs
            list.add(() -> OperatorOnMiniCluster.run(model, texts, threads, new BatchingOptions(1024, 50, 0),
                    "(c) Flink operator, no latency budget"));
        }
        if (jobJar != null) {
            int[] lengths = tokenized.stream().mapToInt(TokenizedText::length).toArray();
            list.add(() -> LocalJobRun.run(jobJar, model, texts, lengths, threads, work));
        }
        if (kafka != null) {
            list.add(kafka.contender(model, texts, realTokens));
        }
        if (settings.runs("e") && !model.hasDense()) {
            LangChain4jRun lc4j = new LangChain4jRun(model);
            lc4j.warmUp(texts.subList(0, 32));
            list.add(() -> lc4j.run(model.name(), texts, realTokens));
        }
        if (js.isPresent() && !model.hasDense()) {
            list.add(() -> js.get().run(model, texts, realTokens, 1));
            list.add(() -> js.get().run(model, texts, realTokens, 32));
        }
        return list;
    }

    /**
     * {@code --tuning-batches}: the batch limits in the library's configuration (one-thread runs at
     * once, the level its default picks), interleaved. At one thread, sorted batches of 8 ran 10-25%
     * faster than batches of 32 or 64 in earlier runs, more than their padding explains, so the
     * planner's limits are swept by texts and by padded positions, raw and through the library.
     */
    private List<Contender> batchTuning(BenchModel model, List<String> texts, List<TokenizedText> tokenized,
            long realTokens, List<AutoCloseable> open) throws Exception {
        List<Contender> list = new ArrayList<>();
        int threads = settings.threads();
        int[] lengths = tokenized.stream().mapToInt(TokenizedText::length).toArray();
        RawOrtCeiling single = warmRaw(atLibraryLevel(model), tokenized, open);
        List<int[]> limits = List.of(new int[] {4, 16_384}, new int[] {8, 16_384}, new int[] {16, 16_384},
                new int[] {32, 16_384}, new int[] {64, 16_384}, new int[] {64, 256}, new int[] {64, 512},
                new int[] {64, 1024}, new int[] {64, 2048});
        for (int[] limit : limits) {
            List<int[]> plan = new BatchPlanner(limit[0], limit[1]).plan(lengths);
            String name = "(a) raw ORT, padded-cost plan, " + limit[0] + " texts / " + limit[1] + " positions, "
                    + threads + " runs at once x 1 thr, auto's level";
            list.add(() -> timedRaw(name, model, tokenized, realTokens, plan, "tuning variant, " + plan.size()
                    + " runs", () -> single.runConcurrently(tokenized, plan, threads)));
        }
        // the planner's run cost (positions a model run is worth) in windows as the operator plans them
        for (int window : new int[] {256, 1024}) {
            for (int cost : new int[] {0, 16, 32, 64}) {
                List<int[]> plan = windowedPlan(lengths, window, new BatchPlanner(64, 16_384, cost));
                String name = "(a) raw ORT, windows of " + window + ", run cost " + cost + " positions, " + threads
                        + " runs at once x 1 thr, auto's level";
                list.add(() -> timedRaw(name, model, tokenized, realTokens, plan, "tuning variant, " + plan.size()
                        + " runs", () -> single.runConcurrently(tokenized, plan, threads)));
            }
        }
        for (int[] limit : List.of(new int[] {8, 16_384}, new int[] {16, 16_384}, new int[] {32, 16_384},
                new int[] {64, 512}, new int[] {64, 1024})) {
            Embedder embedder = warmLibrary(model.options(threads).maxBatchSize(limit[0]).maxBatchTokens(limit[1]),
                    texts, open);
            list.add(() -> library(model, embedder, texts, 1024)
                    .asVariant(limit[0] + " texts / " + limit[1] + " positions"));
        }
        return list;
    }

    /**
     * The batches the planner makes of each window of {@code window} texts in arrival order, as
     * indices into the whole corpus.
     */
    private static List<int[]> windowedPlan(int[] lengths, int window, BatchPlanner planner) {
        List<int[]> plan = new ArrayList<>();
        for (int start = 0; start < lengths.length; start += window) {
            int offset = start;
            for (int[] batch : planner.plan(Arrays.copyOfRange(lengths, start, Math.min(lengths.length, start + window)))) {
                plan.add(Arrays.stream(batch).map(i -> i + offset).toArray());
            }
        }
        return plan;
    }

    /**
     * A raw one-thread session at the level the library's {@code auto} picks for this graph: {@code
     * all} with the layer norms decomposed for an int8 graph, {@code basic} otherwise.
     */
    private static RawOrtCeiling atLibraryLevel(BenchModel model) throws ai.onnxruntime.OrtException {
        boolean quantized = LayerNormFusionGuard.factsOf(model.onnx()).quantized();
        return new RawOrtCeiling(model, 1, true, quantized ? OrtSession.SessionOptions.OptLevel.ALL_OPT
                : OrtSession.SessionOptions.OptLevel.BASIC_OPT, quantized);
    }

    /** A raw session, closed with the round's others, after one untimed batch of the corpus's first texts. */
    private static RawOrtCeiling warmRaw(RawOrtCeiling raw, List<TokenizedText> tokenized, List<AutoCloseable> open)
            throws Exception {
        open.add(raw);
        raw.run(tokenized, RawOrtCeiling.fixedPlan(tokenized.subList(0, 64), 32, true));
        return raw;
    }

    /** The library with these options, closed with the round's others, after one untimed call. */
    private static Embedder warmLibrary(EmbedderOptions.Builder options, List<String> texts, List<AutoCloseable> open) {
        Embedder embedder = Embedder.open(options.build());
        open.add(embedder);
        embedder.embed(documents(texts.subList(0, 64)));
        return embedder;
    }

    private Measurement timedRaw(String name, BenchModel model, RawOrtCeiling raw, List<TokenizedText> tokenized,
            long realTokens, List<int[]> plan, String note) throws Exception {
        return timedRaw(name, model, tokenized, realTokens, plan, note, () -> raw.run(tokenized, plan));
    }

    /** A raw run's positions, timed by {@link #timedRaw}. */
    @FunctionalInterface
    private interface RawRun {
        long positions() throws Exception;
    }

    private Measurement timedRaw(String name, BenchModel model, List<TokenizedText> tokenized, long realTokens,
            List<int[]> plan, String note, RawRun run) throws Exception {
        long cpu = CpuClock.processCpuNanos();
        long start = System.nanoTime();
        long positions = run.positions();
        long wall = System.nanoTime() - start;
        Measurement m = new Measurement(name, model.name(), tokenized.size(), realTokens, positions, wall,
                CpuClock.processCpuNanos() - cpu, "pre-tokenized, " + note);
        return m;
    }

    private static Measurement library(BenchModel model, Embedder embedder, List<String> texts, int call) {
        AtomicLong real = new AtomicLong();
        AtomicLong computed = new AtomicLong();
        BatchListener listener = (n, r, c, nanos) -> {
            real.addAndGet(r);
            computed.addAndGet(c);
        };
        long cpu = CpuClock.processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < texts.size(); i += call) {
            embedder.embed(documents(texts.subList(i, Math.min(texts.size(), i + call))), listener);
        }
        long wall = System.nanoTime() - start;
        String name = "(b) library, Embedder.embed" + (call == 1024 ? "" : ", calls of " + call);
        return new Measurement(name, model.name(), texts.size(), real.get(), computed.get(),
                wall, CpuClock.processCpuNanos() - cpu, "calls of " + call + " texts, tokenization included");
    }

    /** The p50/p99 row of the corpus's short queries, one at a time through {@code embedder}. */
    private String latency(BenchModel model, Embedder embedder, List<String> texts, int threads) {
        List<String> queries = texts.stream().filter(t -> t.split(" ").length <= 8).limit(settings.quick() ? 100 : 400)
                .toList();
        for (int round = 0; round < 3; round++) { // warm-up: 20 calls left the JIT compiling into the timed ones
            for (String q : queries) {
                embedder.embed(TextInput.query(q));
            }
        }
        // each query three times: the p99 of ~1,000 calls rests on ten of them, not on three
        long[] nanos = new long[3 * queries.size()];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            embedder.embed(TextInput.query(queries.get(i % queries.size())));
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        double meanTokens = queries.stream().mapToInt(q -> embedder.tokenize(TextInput.query(q)).length())
                .average().orElse(0);
        return String.format(Locale.ROOT, "| %s | %d | %d x 3 | %.1f | %.2f | %.2f |", model.name(),
                threads, queries.size(), meanTokens, nanos[nanos.length / 2] / 1e6, nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6);
    }

    /**
     * Untimed runs of (a), (b), (c) and the Kafka job under the profiler, after warm-up: the share
     * of each one's CPU that goes to the model and to everything around it.
     */
    private void profile(BenchModel model, List<String> texts, List<TokenizedText> tokenized, CpuProfile profile)
            throws Exception {
        int threads = settings.threads();
        if (settings.runs("a")) {
            // the level the library's default picks for one-thread runs, so the shares compare alike
            try (RawOrtCeiling raw = atLibraryLevel(model)) {
                List<int[]> plan = new BatchPlanner(64, 16_384).plan(tokenized.stream().mapToInt(TokenizedText::length).toArray());
                raw.runConcurrently(tokenized, plan, threads); // warm-up
                profile.start();
                raw.runConcurrently(tokenized, plan, threads);
                raw.runConcurrently(tokenized, plan, threads);
                profile.stop(model.name(), "(a) raw ORT, padded-cost plan, " + threads + " runs at once x 1 thr, auto's level");
            }
        }
        if (settings.runs("b")) {
            try (Embedder embedder = Embedder.open(model.options(threads).build())) {
                library(model, embedder, texts, 1024); // warm-up
                profile.start();
                library(model, embedder, texts, 1024);
                library(model, embedder, texts, 1024);
                profile.stop(model.name(), "(b) library, calls of 1,024");
            }
        }
        if (settings.runs("c")) {
            // the sustained part only, as timed: from the first third of the results to the last flush
            MeasuredOperator.onMark(profile::start);
            MeasuredOperator.onEnd(() -> profile.stop(model.name(), "(c) Flink operator, default batching"));
            try {
                OperatorOnMiniCluster.run(model, texts, threads, BatchingOptions.defaults(), "(c) profiled");
            } finally {
                MeasuredOperator.onMark(null);
                MeasuredOperator.onEnd(null);
            }
        }
        if (kafka != null) {
            try {
                kafka.profile(model, profile);
            } catch (Exception e) {
                // a profile is an extra: the timed rounds' report must still be written
                System.out.println("Kafka job profile skipped for " + model.name() + ": " + e);
            }
        }
    }

    private static List<TextInput> documents(List<String> texts) {
        return texts.stream().map(TextInput::document).toList();
    }

    /** The corpus, cut to texts the model takes whole (at most 256 tokens), tokenized once. */
    private void loadCorpus(BenchModel model, List<String> texts, List<TokenizedText> tokenized) throws Exception {
        List<String> all = settings.corpus() != null ? Corpus.fromFile(settings.corpus()) : Corpus.fortunes(work);
        try (TextTokenizer tokenizer = new TextTokenizer("bench", model.tokenizer(), TextTokenizer.MAX_SUPPORTED_LENGTH)) {
            for (String text : all) {
                if (texts.size() == settings.texts()) {
                    break;
                }
                TokenizedText t = tokenizer.tokenize(text);
                if (t.length() <= BenchModel.MAX_LENGTH) {
                    texts.add(text);
                    tokenized.add(t);
                }
            }
        }
        if (texts.size() < settings.texts()) {
            System.out.println("corpus has only " + texts.size() + " texts of at most " + BenchModel.MAX_LENGTH + " tokens");
        }
    }

    private static int median(int[] values) {
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
