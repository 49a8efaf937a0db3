package io.leafembed.job;

import io.leafembed.job.config.ConfigException;
import io.leafembed.job.config.ConfigKey;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.config.LocalPaths;
import io.leafembed.job.sink.JsonRecords;
import io.leafembed.job.sink.LineOutput;
import io.leafembed.job.sink.LineSink;
import io.leafembed.job.sink.OutputEncoding;
import io.leafembed.job.source.BlankLineFilter;
import io.leafembed.job.source.LineSource;
import io.leafembed.job.source.RawRecord;
import io.leafembed.job.source.RecordFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The local default: the job on an embedded Flink MiniCluster over a file or standard input,
 * writing JSON lines to a file or standard output. No Kafka, no cluster; without a model option
 * it uses the int8 all-MiniLM-L6-v2 bundled in the job jar (and its first line says so).
 *
 * <p>Input lines are embedded as they arrive ({@link LineSource}): standard input streams, with
 * the batching window and max wait as on Kafka. Each result line is written when its window is
 * done ({@link LineSink}), with no size limit. Results come in input order at parallelism 1 (the
 * default here); dead letters go to standard error or {@code output.dead-letter-file}. Long runs
 * get a progress line on standard error every 5 seconds.
 *
 * <p>Files are checked before the model loads ({@link LocalPaths}). An output that cannot be
 * written stops the job: a closed pipe quietly (exit 141), anything else with its reason (exit 1).
 * Ctrl-C ends the output with a whole line (exit 130). Everything Flink and ONNX Runtime put in the
 * temp folder is removed at exit ({@link RunTempFolder}). Exit codes: {@link ExitCodes}.
 */
public final class LocalRun {

    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;
    /** How long Ctrl-C waits for the line being written (a reader may be slow to take it). */
    private static final long FINISH_LINE_MILLIS = 10_000;
    private static final String RESULTS = JobOptions.OUTPUT_FILE.name();
    private static final String DEAD_LETTERS = JobOptions.OUTPUT_DEAD_LETTER_FILE.name();

    private LocalRun() {}

    /** Runs the job to the end of its input; returns the process exit code. */
    public static int run(JobConfig config) throws Exception {
        LocalPaths.check(config);
        LineOutput console = LineOutput.standardError();
        RunTempFolder temp = RunTempFolder.create();
        ExitHook exitHook = new ExitHook(temp, console);
        Runtime.getRuntime().addShutdownHook(new Thread(exitHook, "leaf-embed exit"));
        // standard output carries the JSON lines only: stray prints of libraries go to standard error
        System.setOut(System.err);
        PrintStream log = System.err;

        config.warnings().forEach(w -> log.println("leaf-embed: warning: " + w));
        log.println("leaf-embed: " + ModelCheck.describe(config));
        String input = config.get(JobOptions.INPUT_FILE) == null ? LineSource.STANDARD_INPUT
                : config.get(JobOptions.INPUT_FILE);
        boolean standardInput = input.equals(LineSource.STANDARD_INPUT);
        if (standardInput && System.console() != null) {
            log.println("leaf-embed: reading texts from standard input, one per line (end with Ctrl-D)");
        }
        int parallelism = config.isSet(JobOptions.RUNTIME_PARALLELISM) ? config.get(JobOptions.RUNTIME_PARALLELISM) : 1;
        // a shared model's runs serve every slot: it may use every core
        int slotCores = Math.max(1, Runtime.getRuntime().availableProcessors()
                / (config.get(JobOptions.RUNTIME_SHARE_MODEL) ? 1 : parallelism));
        ModelCheck.run(config, slotCores, log);

        // opened (and a file truncated) only now that the configuration and the model are fine
        LineOutput results = open(JobOptions.OUTPUT_FILE, config, LineOutput::standardOutput);
        LineOutput deadLetters = open(JobOptions.OUTPUT_DEAD_LETTER_FILE, config, () -> console);
        LineOutput.register(RESULTS, results);
        LineOutput.register(DEAD_LETTERS, deadLetters);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                flinkConfiguration(config, temp.path()));
        env.setParallelism(parallelism);
        wire(env, config, input, slotCores);

        long start = System.nanoTime();
        exitHook.running(results, deadLetters);
        JobExecutionResult result;
        try {
            result = execute(env, results, deadLetters, console, start, exitHook);
        } finally {
            exitHook.stopped();
            results.finish(FINISH_LINE_MILLIS);
            deadLetters.finish(FINISH_LINE_MILLIS);
        }
        for (LineOutput output : new LineOutput[] {results, deadLetters}) {
            if (output.failure().isPresent()) {
                return outputFailed(output, output == results ? RESULTS : DEAD_LETTERS, results, console);
            }
        }
        Object blank = result.getAccumulatorResult(BlankLineFilter.ACCUMULATOR);
        String skipped = blank instanceof Long && (Long) blank > 0
                ? String.format(Locale.ROOT, ", %,d blank lines skipped", blank) : "";
        console.writeMessage(String.format(Locale.ROOT, "leaf-embed: done: %,d embedded, %,d dead letters%s in %.1f s",
                results.records(), deadLetters.records(), skipped, (System.nanoTime() - start) / 1e9));
        return ExitCodes.DONE;
    }

    /** lines -> (skip blank lines) -> the job -> JSON lines to the registered outputs. */
    private static void wire(StreamExecutionEnvironment env, JobConfig config, String input, int slotCores) {
        boolean standardInput = input.equals(LineSource.STANDARD_INPUT);
        RecordFormat format = RecordFormat.resolve(config.get(JobOptions.INPUT_FORMAT),
                standardInput ? null : Path.of(input).getFileName().toString());
        DataStream<RawRecord> raw = env.fromSource(new LineSource(input, maxLineBytes(config)),
                        WatermarkStrategy.noWatermarks(), standardInput ? "standard input" : "input file",
                        TypeInformation.of(RawRecord.class))
                .setParallelism(1)
                .uid("leaf-embed-line-source");
        if (config.get(JobOptions.INPUT_SKIP_BLANK_LINES)) {
            raw = raw.filter(new BlankLineFilter()).setParallelism(1).name("skip blank lines")
                    .uid("leaf-embed-skip-blank-lines");
        }
        LeafEmbedJob.Outputs outputs = LeafEmbedJob.build(raw, config, format, slotCores);
        JsonRecords json = new JsonRecords(OutputEncoding.fromId(config.get(JobOptions.OUTPUT_ENCODING)),
                config.get(JobOptions.OUTPUT_EMBEDDING_FIELD), config.get(JobOptions.OUTPUT_DEAD_LETTER_MAX_ORIGINAL_BYTES));
        // one writer each (parallelism 1): lines keep the input order at parallelism 1
        outputs.results().map(json::result).returns(Types.STRING).name("to JSON")
                .sinkTo(new LineSink(RESULTS)).setParallelism(1).name("results");
        outputs.deadLetters().map(json::deadLetter).returns(Types.STRING).name("dead letters to JSON")
                .sinkTo(new LineSink(DEAD_LETTERS)).setParallelism(1).name("dead letters");
    }

    /**
     * Runs the job, printing progress, until it ends or an output fails (then the job is
     * cancelled: a failing task would print Flink's stack traces). Returns null after a cancel.
     */
    private static JobExecutionResult execute(StreamExecutionEnvironment env, LineOutput results,
            LineOutput deadLetters, LineOutput console, long start, ExitHook exitHook) throws Exception {
        JobClient client = env.executeAsync("leaf-embed (local)");
        CompletableFuture<JobExecutionResult> done = client.getJobExecutionResult();
        CompletableFuture<Object> stop = CompletableFuture.anyOf(done, results.failed(), deadLetters.failed());
        Progress progress = new Progress(start, PROGRESS_EVERY_NANOS);
        while (!stop.isDone()) {
            try {
                stop.get(Math.max(1, progress.nextNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // time for a progress line, or the job failed (reported below)
            }
            String line = progress.line(System.nanoTime(), results.records(), deadLetters.records(),
                    results.firstRecordNanos());
            if (line != null && !stop.isDone() && !exitHook.exiting()) {
                console.writeMessage(line);
            }
        }
        if (!done.isDone()) {
            client.cancel();
            try {
                done.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException cancelled) {
                // expected: the job was cancelled because an output failed
            }
            return null;
        }
        return done.get();
    }

    private static int outputFailed(LineOutput output, String key, LineOutput results, LineOutput console) {
        if (output.closedPipe()) {
            return ExitCodes.CLOSED_PIPE; // like other Unix tools: no message, the reader went away
        }
        IOException e = output.failure().orElseThrow();
        console.writeMessage(String.format(Locale.ROOT, "leaf-embed: cannot write '%s' (%s): %s; stopped after"
                + " %,d embedded", key, output.description(), e.getMessage(), results.records()));
        return ExitCodes.JOB_FAILED;
    }

    /**
     * The embedded Flink's configuration, in one place: the user's ({@code $FLINK_CONF_DIR} and
     * {@code flink.*} keys), then what a local run needs whatever they say: everything Flink writes
     * goes to the run's temp folder, and it never restarts the job (standard input cannot be read
     * twice, and lines already written would be written again).
     */
    private static Configuration flinkConfiguration(JobConfig config, Path tempFolder) {
        Configuration flink = config.flinkConfiguration();
        RunTempFolder.useFor(flink, tempFolder);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "disable");
        return flink;
    }

    private static LineOutput open(ConfigKey<String> key, JobConfig config, Supplier<LineOutput> standard) {
        String target = config.get(key);
        if (target == null || target.equals(LocalPaths.STANDARD_STREAM)) {
            return standard.get();
        }
        try {
            return LineOutput.file(Path.of(target));
        } catch (IOException e) {
            throw new ConfigException("'" + key.name() + "' " + target + " cannot be opened: " + e.getMessage(), e);
        }
    }

    /** A JSON line holds the text (escaped: up to 6 bytes per byte) plus other fields. */
    private static long maxLineBytes(JobConfig config) {
        return 6L * config.get(JobOptions.INPUT_MAX_TEXT_BYTES) + (1 << 20);
    }

    /**
     * Runs at JVM exit. While the job runs (Ctrl-C, a kill), it lets the line being written finish
     * and stops the outputs, so the output ends with a whole line; always, it removes the temp
     * folder.
     */
    private static final class ExitHook implements Runnable {
        private final RunTempFolder temp;
        private final LineOutput console;
        private volatile LineOutput results;
        private volatile LineOutput deadLetters;
        private volatile boolean running;
        private volatile boolean exiting;

        ExitHook(RunTempFolder temp, LineOutput console) {
            this.temp = temp;
            this.console = console;
        }

        void running(LineOutput results, LineOutput deadLetters) {
            this.results = results;
            this.deadLetters = deadLetters;
            running = true;
        }

        void stopped() {
            running = false;
        }

        /** Whether the JVM is exiting (Ctrl-C): the run prints no more progress. */
        boolean exiting() {
            return exiting;
        }

        @Override
        public void run() {
            exiting = true;
            if (running) {
                results.finish(FINISH_LINE_MILLIS);
                deadLetters.finish(FINISH_LINE_MILLIS);
                console.writeMessage(String.format(Locale.ROOT, "leaf-embed: interrupted after %,d embedded, %,d dead"
                        + " letters; the output ends with the last whole line", results.records(),
                        deadLetters.records()));
            }
            temp.delete();
        }
    }
}
