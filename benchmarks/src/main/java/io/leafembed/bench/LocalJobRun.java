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
 * Start-up (JVM, MiniCluster, model load, the first window's warm-up) is taken out by
 * subtraction: the job runs once on the first {@value #BASELINE_TEXTS} texts and once on all of
 * them, and the rate is the extra texts over the extra wall time (the CPU time likewise). Watching
 * the output file instead would time buffered writes, not embedding: the file sink writes in
 * chunks, so the first lines appear when most of a window is already done.
 */
final class LocalJobRun {

    /** The baseline run's texts: enough for one small window, so that warm-up is in both runs. */
    static final int BASELINE_TEXTS = 64;

    private static final Pattern DONE = Pattern.compile("done: ([\\d,]+) embedded");

    private LocalJobRun() {}

    /** @param lengths the texts' token counts, for the tokens of the texts past the baseline */
    static Measurement run(Path jobJar, BenchModel model, List<String> texts, int[] lengths, int threads,
            Path work) throws Exception {
        ProcessRun baseline = runJob(jobJar, model, texts.subList(0, BASELINE_TEXTS), threads, work);
        ProcessRun whole = runJob(jobJar, model, texts, threads, work);
        int measured = texts.size() - BASELINE_TEXTS;
        long tokens = java.util.Arrays.stream(lengths, BASELINE_TEXTS, texts.size()).asLongStream().sum();
        long wall = whole.wallNanos() - baseline.wallNanos();
        if (wall <= 0) {
            throw new IllegalStateException("the whole run was not slower than the baseline run: use more texts");
        }
        return new Measurement("(d) the job, java -jar, local file", model.name(), measured, tokens, 0, wall,
                whole.cpuNanos() - baseline.cpuNanos(),
                String.format(java.util.Locale.ROOT, "run on %d texts minus run on %d (%.1f s - %.1f s)",
                        texts.size(), BASELINE_TEXTS, whole.wallNanos() / 1e9, baseline.wallNanos() / 1e9));
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
        ProcessRun run = ProcessRun.start(command, work, Map.of("ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true"), work.resolve("logs"));
        Matcher done = DONE.matcher(run.stderr());
        if (!done.find() || Integer.parseInt(done.group(1).replace(",", "")) != texts.size()) {
            throw new IllegalStateException("the job did not embed all " + texts.size() + " lines:\n" + run.stderr());
        }
        Files.deleteIfExists(output);
        return run;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
