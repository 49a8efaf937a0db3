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
 * Start-up (JVM, MiniCluster, model) is taken out by also running a 64-line file.
 */
final class LocalJobRun {

    private static final Pattern DONE = Pattern.compile("done: ([\\d,]+) embedded");

    private LocalJobRun() {}

    static Measurement run(Path jobJar, BenchModel model, List<String> texts, long realTokens, int threads,
            Path work) throws Exception {
        int small = OperatorOnMiniCluster.STARTUP_TEXTS;
        ProcessRun shortRun = execute(jobJar, model, texts.subList(0, small), threads, work);
        ProcessRun fullRun = execute(jobJar, model, texts, threads, work);
        int n = texts.size() - small;
        long tokens = realTokens - realTokens * small / texts.size(); // prefix share (the order is random)
        return new Measurement("(d) the job, java -jar, local file", model.name(), n, tokens, 0,
                fullRun.wallNanos() - shortRun.wallNanos(), fullRun.cpuNanos() - shortRun.cpuNanos(),
                String.format(java.util.Locale.ROOT, "run of %d lines (%.1f s, start-up) subtracted", small,
                        shortRun.wallNanos() / 1e9));
    }

    private static ProcessRun execute(Path jobJar, BenchModel model, List<String> texts, int threads, Path work)
            throws Exception {
        Path input = work.resolve("job-input.txt");
        Path output = work.resolve("job-output.jsonl");
        Files.write(input, texts, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", jobJar.toString(),
                "--input", input.toString(), "--output", output.toString(), "--format", "text",
                "--threads", String.valueOf(threads), "--max-length", String.valueOf(BenchModel.MAX_LENGTH)));
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
