package io.leafembed.job;

import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedRequest;
import io.leafembed.function.EmbedResult;
import io.leafembed.function.CalibratedQuantizer;
import io.leafembed.function.CalibratedRanges;
import io.leafembed.function.EmbeddingOperator;
import io.leafembed.function.RangeCalibrator;
import io.leafembed.job.config.CommandLine;
import io.leafembed.job.config.ConfigException;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.source.RawRecord;
import io.leafembed.job.source.RecordFormat;
import io.leafembed.job.source.RecordParser;
import io.leafembed.model.ModelLoadException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The leaf-embed job: raw records -> parse -> embed (batched, one ONNX Runtime session per slot)
 * -> results, with everything that cannot be embedded on a dead-letter stream.
 *
 * <p>{@link #build} wires the pipeline onto any source stream, so the same job runs over a local
 * file ({@link LocalRun}) or Kafka, and tests can feed it directly. Operator uids are stable
 * ({@code leaf-embed-parse}, {@code leaf-embed-embed}): savepoints survive upgrades.
 */
public final class LeafEmbedJob {

    /** Stable operator uids (never change them: savepoints map state by uid). */
    public static final String PARSE_UID = "leaf-embed-parse";
    public static final String EMBED_UID = "leaf-embed-embed";
    public static final String CALIBRATE_UID = "leaf-embed-calibrate";
    public static final String QUANTIZE_UID = "leaf-embed-quantize";

    /** The job's two outputs. */
    public record Outputs(DataStream<EmbedResult> results, DataStream<DeadLetter> deadLetters) {}

    private LeafEmbedJob() {}

    /**
     * Wires parse -> embed onto {@code raw}.
     *
     * @param format how record values are read (text or JSON)
     * @param slotCores the cores one embedding instance may use (see {@link JobConfig#embedderOptions})
     */
    public static Outputs build(DataStream<RawRecord> raw, JobConfig config, RecordFormat format,
            int slotCores) {
        RecordParser.Settings settings = new RecordParser.Settings(format,
                config.get(JobOptions.INPUT_ID_FIELD), config.get(JobOptions.INPUT_TEXT_FIELD),
                config.get(JobOptions.INPUT_ROLE_FIELD), config.get(JobOptions.INPUT_DEFAULT_ROLE),
                config.get(JobOptions.INPUT_MAX_TEXT_BYTES), config.get(JobOptions.EMBEDDING_EMPTY_TEXT).equals("embed"),
                config.get(JobOptions.OUTPUT_ENCODING).equals("raw") ? null : config.get(JobOptions.OUTPUT_EMBEDDING_FIELD),
                config.get(JobOptions.OUTPUT_DEAD_LETTER_MAX_ORIGINAL_BYTES));
        SingleOutputStreamOperator<EmbedRequest> parsed = raw
                .process(new RecordParser(settings), TypeInformation.of(EmbedRequest.class))
                .name("parse records").uid(PARSE_UID);
        EmbeddingOperator embedding = new EmbeddingOperator(config.embedderOptions(slotCores),
                config.roleEmbedderOptions(slotCores), config.batchingOptions(),
                config.get(JobOptions.BATCHING_CACHE_SIZE));
        if (config.get(JobOptions.RUNTIME_SHARE_MODEL)) {
            embedding.shareModelsPerTaskManager();
        }
        if (config.calibratesRanges()) {
            embedding.sampleForCalibration(config.get(JobOptions.EMBEDDING_CALIBRATION_SIZE));
        }
        SingleOutputStreamOperator<EmbedResult> embedded = parsed
                .transform("embed", TypeInformation.of(EmbedResult.class), embedding)
                .uid(EMBED_UID);
        DataStream<DeadLetter> deadLetters = parsed.getSideOutput(RecordParser.DEAD_LETTERS)
                .union(embedded.getSideOutput(EmbeddingOperator.DEAD_LETTERS));
        DataStream<EmbedResult> results = config.calibratesRanges() ? quantizeCalibrated(embedded, config) : embedded;
        return new Outputs(results, deadLetters);
    }

    /**
     * The float vectors the sample needs (a side output of the embedding) -> one calibrator
     * (parallelism 1) -> ranges broadcast to every quantizer, so all instances quantize with the
     * same ranges, kept in checkpointed broadcast state. The calibrator sees vectors only, and only
     * until its sample is full, never the records themselves.
     */
    private static DataStream<EmbedResult> quantizeCalibrated(SingleOutputStreamOperator<EmbedResult> floats,
            JobConfig config) {
        DataStream<CalibratedRanges> ranges = floats.getSideOutput(EmbeddingOperator.CALIBRATION_SAMPLE)
                .transform("calibrate ranges", TypeInformation.of(CalibratedRanges.class),
                        new RangeCalibrator(config.get(JobOptions.EMBEDDING_CALIBRATION_SIZE)))
                .setParallelism(1)
                .setMaxParallelism(1)
                .uid(CALIBRATE_UID);
        return floats.connect(ranges.broadcast(CalibratedQuantizer.RANGES))
                .process(new CalibratedQuantizer(config.quantization()), TypeInformation.of(EmbedResult.class))
                .name("quantize with calibrated ranges")
                .uid(QUANTIZE_UID);
    }

    /**
     * Entry point. With {@code java -jar} (an embedded MiniCluster) it exits with a code: 0 done,
     * 1 the job failed, 2 invalid configuration, files or model (see {@link ExitCodes}). Submitted
     * to a cluster ({@code flink run}, the REST API) it never exits: there {@code main} runs in
     * Flink's client or inside the JobManager, whose JVM is not the job's to end, so errors are
     * thrown to Flink, which reports them as the submission's failure (once, without restarts).
     */
    public static void main(String[] args) throws Exception {
        if (StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment) {
            System.exit(runEmbedded(args));
        }
        runSubmitted(args);
    }

    /** Runs the job on an embedded MiniCluster; returns the process exit code. */
    static int runEmbedded(String[] args) {
        KnownNoiseFilter.install();
        try {
            CommandLine cli = CommandLine.parse(args);
            if (cli.helpRequested()) {
                System.out.print(CommandLine.usage());
                return ExitCodes.DONE;
            }
            JobConfig config = cli.config();
            if (config.isSqlScript()) {
                return SqlRun.run(config);
            }
            return config.isKafka() ? KafkaRun.run(config) : LocalRun.run(config);
        } catch (ConfigException | ModelLoadException e) {
            System.err.println("leaf-embed: " + e.getMessage());
            return ExitCodes.INVALID_CONFIGURATION;
        } catch (Exception e) {
            System.err.println("leaf-embed: the job failed: " + rootMessage(e));
            e.printStackTrace(System.err);
            return ExitCodes.JOB_FAILED;
        }
    }

    /**
     * Builds and submits the Kafka job from a cluster's client; configuration errors (including
     * the Kafka pre-flight check) are thrown before anything is submitted.
     */
    static void runSubmitted(String[] args) throws Exception {
        JobConfig config = CommandLine.parse(args).config();
        if (config.isSqlScript()) {
            SqlRun.run(config);
            return;
        }
        if (!config.isKafka()) {
            throw new ConfigException("a job submitted to a Flink cluster reads from Kafka: set"
                    + " 'kafka.bootstrap-servers' (files and standard input are for java -jar runs)");
        }
        KafkaRun.run(config);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
