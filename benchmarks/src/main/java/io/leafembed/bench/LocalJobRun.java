package io.leafembed.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
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
 * Start-up (JVM, MiniCluster, model) is left out by watching the output file: the rate is the
 * lines written after the first window's lines appeared, over the time until the last line
 * appeared (and the process CPU over the same span).
 */
final class LocalJobRun {

    private static final Pattern DONE = Pattern.compile("done: ([\\d,]+) embedded");

    private LocalJobRun() {}

    static Measurement run(Path jobJar, BenchModel model, List<String> texts, long realTokens, int threads,
            Path work) throws Exception {
        Path input = work.resolve("job-input.txt");
        Path output = work.resolve("job-output.jsonl");
        Files.write(input, texts, StandardCharsets.UTF_8);
        Files.deleteIfExists(output);
        List<String> command = new ArrayList<>(List.of(LocalJobRun.javaBinary(), "-jar", jobJar.toString(),
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
        OutputWatcher watcher = new OutputWatcher(output);
        ProcessRun run = ProcessRun.start(command, work, Map.of("ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true"), work.resolve("logs"), watcher);
        Matcher done = DONE.matcher(run.stderr());
        if (!done.find() || Integer.parseInt(done.group(1).replace(",", "")) != texts.size()) {
            throw new IllegalStateException("the job did not embed all " + texts.size() + " lines:\n" + run.stderr());
        }
        Files.deleteIfExists(output);
        if (watcher.lastLines <= watcher.firstLines) {
            throw new IllegalStateException("the job wrote all its lines at once (one window): use more texts");
        }
        int measured = (int) (watcher.lastLines - watcher.firstLines);
        return new Measurement("(d) the job, java -jar, local file", model.name(), measured,
                realTokens * measured / texts.size(), 0, watcher.lastNanos - watcher.firstNanos,
                watcher.lastCpu - watcher.firstCpu,
                String.format(java.util.Locale.ROOT, "lines after the first window (%d of %d); whole run %.1f s",
                        measured, texts.size(), run.wallNanos() / 1e9));
    }

    /** Counts the output file's lines as they are written. */
    private static final class OutputWatcher implements ProcessRun.Watcher {
        private final Path file;
        private long position;
        private long lines;
        long firstLines = -1;
        long firstNanos;
        long firstCpu;
        long lastLines;
        long lastNanos;
        long lastCpu;

        OutputWatcher(Path file) {
            this.file = file;
        }

        @Override
        public void poll(long nanos, long cpu) throws IOException {
            if (!Files.exists(file)) {
                return;
            }
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                long length = raf.length();
                if (length <= position) {
                    return;
                }
                raf.seek(position);
                byte[] chunk = new byte[(int) (length - position)];
                raf.readFully(chunk);
                position = length;
                for (byte b : chunk) {
                    if (b == '\n') {
                        lines++;
                    }
                }
            }
            if (firstLines < 0 && lines > 0) {
                firstLines = lines;
                firstNanos = nanos;
                firstCpu = cpu;
            } else if (lines > lastLines) {
                lastLines = lines;
                lastNanos = nanos;
                lastCpu = cpu;
            }
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
