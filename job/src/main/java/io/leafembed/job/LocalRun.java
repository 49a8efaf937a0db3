package io.leafembed.job;

import io.leafembed.job.config.ConfigException;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.sink.JsonRecords;
import io.leafembed.job.sink.OutputEncoding;
import io.leafembed.job.source.NumberedLineFormat;
import io.leafembed.job.source.RawRecord;
import io.leafembed.job.source.RecordFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * The local default: the job on an embedded Flink MiniCluster over a file or standard input,
 * writing JSON lines to a file or standard output. No Kafka, no cluster; without a model option
 * it uses the int8 all-MiniLM-L6-v2 bundled in the job jar (and its first line says so).
 *
 * <p>Results come in input order at parallelism 1 (the default here); dead letters go to
 * standard error or {@code output.dead-letter-file}. Long inputs get a progress line on standard
 * error every 5 seconds.
 */
public final class LocalRun {

    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    private LocalRun() {}

    /** Runs the job to the end of its input; returns the process exit code. */
    public static int run(JobConfig config) throws Exception {
        PrintStream log = System.err;
        log.println("leaf-embed: " + ModelCheck.describe(config));
        Path input = resolveInput(config.get(JobOptions.INPUT_FILE), log);
        int parallelism = config.isSet(JobOptions.RUNTIME_PARALLELISM) ? config.get(JobOptions.RUNTIME_PARALLELISM) : 1;
        int intraOpThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / parallelism);
        ModelCheck.run(config, intraOpThreads, log);

        Configuration flinkConfig = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfig);
        env.setParallelism(parallelism);
        RecordFormat format = RecordFormat.resolve(config.get(JobOptions.INPUT_FORMAT), input.getFileName().toString());
        DataStream<RawRecord> raw = env.fromSource(
                        FileSource.forRecordStreamFormat(new NumberedLineFormat(maxLineBytes(config)),
                                new org.apache.flink.core.fs.Path(input.toUri())).build(),
                        WatermarkStrategy.noWatermarks(), "input file")
                .setParallelism(1)
                .uid("leaf-embed-file-source");
        LeafEmbedJob.Outputs outputs = LeafEmbedJob.build(raw, config, format, intraOpThreads);

        JsonRecords json = new JsonRecords(OutputEncoding.fromId(config.get(JobOptions.OUTPUT_ENCODING)),
                config.get(JobOptions.OUTPUT_EMBEDDING_FIELD));
        // one collected stream; the first character tells results (R) from dead letters (D)
        DataStream<String> lines = outputs.results().map(r -> "R" + json.result(r)).name("to JSON")
                .union(outputs.deadLetters().map(d -> "D" + json.deadLetter(d)).name("dead letters to JSON"));

        long embedded = 0;
        long dead = 0;
        long start = System.nanoTime();
        long nextProgress = start + PROGRESS_EVERY_NANOS;
        try (Writer out = open(config.get(JobOptions.OUTPUT_FILE), System.out);
                Writer deadOut = open(config.get(JobOptions.OUTPUT_DEAD_LETTER_FILE), System.err);
                CloseableIterator<String> it = lines.executeAndCollect("leaf-embed (local)")) {
            while (it.hasNext()) {
                String line = it.next();
                if (line.charAt(0) == 'R') {
                    out.write(line, 1, line.length() - 1);
                    out.write('\n');
                    embedded++;
                } else {
                    deadOut.write(line, 1, line.length() - 1);
                    deadOut.write('\n');
                    dead++;
                }
                long now = System.nanoTime();
                if (now >= nextProgress) {
                    out.flush();
                    log.printf("leaf-embed: %,d embedded (%.0f/s), %,d dead letters%n", embedded,
                            embedded / ((now - start) / 1e9), dead);
                    nextProgress = now + PROGRESS_EVERY_NANOS;
                }
            }
        }
        log.printf("leaf-embed: done: %,d embedded, %,d dead letters in %.1f s%n", embedded, dead,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** A JSON line holds the text (escaped: up to 6 bytes per byte) plus other fields. */
    private static long maxLineBytes(JobConfig config) {
        return 6L * config.get(JobOptions.INPUT_MAX_TEXT_BYTES) + (1 << 20);
    }

    private static Path resolveInput(String input, PrintStream log) throws IOException {
        if (input != null && !input.equals("-")) {
            Path path = Path.of(input);
            if (!Files.isRegularFile(path)) {
                throw new ConfigException("'input.file' " + path + " does not exist or is not a file");
            }
            return path.toAbsolutePath();
        }
        if (System.console() != null) {
            log.println("leaf-embed: reading texts from standard input, one per line (end with Ctrl-D)");
        }
        // the file source reads files; stdin is bounded here, so spool it first
        Path spool = Files.createTempFile("leaf-embed-stdin", ".txt");
        spool.toFile().deleteOnExit();
        Files.copy(System.in, spool, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return spool;
    }

    private static Writer open(String target, PrintStream fallback) throws IOException {
        if (target == null || target.equals("-")) {
            // do not close System.out / System.err with the writer
            return new BufferedWriter(new OutputStreamWriter(fallback, StandardCharsets.UTF_8)) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }
        return Files.newBufferedWriter(Path.of(target), StandardCharsets.UTF_8);
    }
}
