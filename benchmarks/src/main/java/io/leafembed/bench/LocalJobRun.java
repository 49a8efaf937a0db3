package io.leafembed.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Contender (d): the whole job as users run it, {@code java -jar} on the self-contained jar, local
 * mode on a file (one text per line) with its default batching, JSON lines written to a file.
 * Sustained throughput, after warm-up: start-up (JVM, MiniCluster, model load) and warm-up (the
 * JIT compiling the hot paths, ~5 CPU-seconds) are taken out by subtraction: the job runs once on
 * the corpus and once on the corpus {@value #REPEATS} times over, and the rate is the extra texts
 * over the extra wall time (the CPU time likewise), as the Kafka run counts only the results after
 * its first tenth. Watching
 * the output file instead would time buffered writes, not embedding: the file sink writes in
 * chunks, so the first lines appear when most of a window is already done.
 */
final class LocalJobRun {

    /** The measured run's texts, in corpus lengths: the baseline run has one, so warm-up is in both. */
    static final int REPEATS = 4;

    private static final Pattern DONE = Pattern.compile("done: ([\\d,]+) embedded");

    private LocalJobRun() {}

    /** @param lengths the texts' token counts, for the tokens of the texts past the baseline */
    static Measurement run(Path jobJar, BenchModel model, List<String> texts, int[] lengths, int threads,
            Path work) throws Exception {
        List<String> repeated = new ArrayList<>(texts.size() * REPEATS);
        for (int i = 0; i < REPEATS; i++) {
            repeated.addAll(texts);
        }
        ProcessRun baseline = runJob(jobJar, model, texts, threads, work);
        ProcessRun whole = runJob(jobJar, model, repeated, threads, work);
        int measured = texts.size() * (REPEATS - 1);
        long tokens = java.util.Arrays.stream(lengths).asLongStream().sum() * (REPEATS - 1);
        long wall = whole.wallNanos() - baseline.wallNanos();
        if (wall <= 0) {
            throw new IllegalStateException("the whole run was not slower than the baseline run: use more texts");
        }
        return new Measurement("(d) the job, java -jar, local file", model.name(), measured, tokens, 0, wall,
                whole.cpuNanos() - baseline.cpuNanos(),
                String.format(java.util.Locale.ROOT, "run on the corpus x%d minus run on it once (%.1f s - %.1f s)",
                        REPEATS, whole.wallNanos() / 1e9, baseline.wallNanos() / 1e9));
    }

    private static ProcessRun runJob(Path jobJar, BenchModel model, List<String> texts, int threads, Path work)
            throws Exception {
        Path input = work.resolve("job-input.txt");
        Path output = work.resolve("job-output.jsonl");
        Files.write(input, texts, StandardCharsets.UTF_8);
        Files.deleteIfExists(output);
        List<String> command = new ArrayList<>(List.of(LocalJobRun.javaBinary(), "-jar", jobJar.toString(),
                "--input", input.toString(), "--output", output.toString(), "--format", "text",
                "--runtime.intra-op-threads", "1", "--runtime.parallel-runs", String.valueOf(threads),
                "--max-length", String.valueOf(BenchModel.MAX_LENGTH)));
        if (model.modelDir() != null) {
            command.addAll(List.of("--model", model.modelDir().toString()));
            if (model.dtype().equals("q8")) {
                command.addAll(List.of("--onnx-variant", "int8"));
            }
        } else {
            command.addAll(List.of("--onnx", model.onnx().toString(), "--tokenizer", model.tokenizer().toString()));
        }
        command.addAll(extraJobArgs());
        ProcessRun run = ProcessRun.start(command, work, Map.of("ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true"), work.resolve("logs"));
        Matcher done = DONE.matcher(run.stderr());
        if (!done.find() || Integer.parseInt(done.group(1).replace(",", "")) != texts.size()) {
            throw new IllegalStateException("the job did not embed all " + texts.size() + " lines:\n" + run.stderr());
        }
        Files.deleteIfExists(output);
        return run;
    }

    /**
     * Job options for an A/B of a job setting, from the system property {@code
     * leafembed.bench.job-args} (for example {@code -Dleafembed.bench.job-args="--batching.pipelined
     * false"}); none by default.
     */
    static List<String> extraJobArgs() {
        String args = System.getProperty("leafembed.bench.job-args", "").trim();
        return args.isEmpty() ? List.of() : List.of(args.split("\\s+"));
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
