package io.leafembed.job;

import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedResult;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.sink.KafkaRecord;
import io.leafembed.job.sink.KafkaSinks;
import io.leafembed.job.sink.ResultEncoder;
import io.leafembed.job.sink.jdbc.CountEmbedded;
import io.leafembed.job.sink.jdbc.PostgresTable;
import io.leafembed.job.source.ConsumedOffsets;
import io.leafembed.job.source.KafkaSources;
import io.leafembed.job.source.RawRecord;
import io.leafembed.job.source.RecordFormat;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Kafka job: KafkaSource -> parse -> embed -> KafkaSink (results) and KafkaSink (dead
 * letters), with checkpointing for exactly-once delivery. Runs wherever main() runs: on an
 * embedded MiniCluster with {@code java -jar}, or on the cluster the jar was submitted to (then
 * main() runs in the client or JobManager and must not load the model: it only builds the graph).
 */
public final class KafkaRun {

    public static final String SOURCE_UID = "leaf-embed-kafka-source";
    static final String SOURCE_NAME = "kafka source";
    public static final String RESULTS_SINK_UID = "leaf-embed-kafka-results";
    public static final String DEAD_LETTER_SINK_UID = "leaf-embed-kafka-dead-letters";
    public static final String ENCODE_RESULTS_UID = "leaf-embed-encode-results";
    public static final String ENCODE_DEAD_LETTERS_UID = "leaf-embed-encode-dead-letters";
    public static final String COUNT_RESULTS_UID = "leaf-embed-count-results";
    public static final String JDBC_SINK_UID = "leaf-embed-jdbc-results";

    private KafkaRun() {}

    /**
     * Builds and runs the job until it ends (bounded source) or is cancelled. With {@code java -jar}
     * (an embedded MiniCluster) Flink's configuration is $FLINK_CONF_DIR/config.yaml plus the
     * {@code flink.*} keys, checkpoints are kept in {@link JobConfig#checkpointDir()} and the job
     * resumes from the newest completed one there; on a cluster only the {@code flink.*} keys
     * are added to the cluster's configuration.
     */
    public static int run(JobConfig config) throws Exception {
        // the context decides: a submitted jar gets the cluster's environment, java -jar a local one
        boolean embedded = StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
        config.warnings().forEach(w -> System.err.println("leaf-embed: warning: " + w));
        Configuration flink = embedded ? config.flinkConfiguration() : config.flinkOptions();
        System.err.println("leaf-embed: " + ModelCheck.describe(config));
        // Kafka first: a wrong broker, topic or timeout fails in seconds, before any model loads
        KafkaPreflight.check(config, System.err);
        if (config.isJdbcSink()) {
            // the table too: a wrong URL, password or table fails here (exit 2), not in a restart loop
            PostgresTable.of(config).prepare(System.err);
        }
        if (embedded) {
            // java -jar: the client runs the job, so it may (and should) check the models first
            ModelCheck.run(config, 1, System.err);
        }
        Map<String, Long> stopOffsets = Map.of();
        if (config.get(JobOptions.RUNTIME_CHECKPOINT_INTERVAL_MS) > 0) {
            if (embedded) {
                RetainedCheckpoints.claim(config.checkpointDir(),
                        config.resultsTarget() + "@" + config.get(JobOptions.KAFKA_SOURCE_GROUP_ID));
                RetainedCheckpoints.prepare(flink, config.checkpointDir(), System.err);
                if (config.get(JobOptions.KAFKA_SOURCE_BOUNDED)) {
                    Optional<Path> dir = RetainedCheckpoints.localPath(config.checkpointDir());
                    stopOffsets = dir.isEmpty() ? Map.of() : BoundedStopOffsets.forRun(config, dir.get(),
                            flink.contains(StateRecoveryOptions.SAVEPOINT_PATH), System.err);
                }
            } else if (config.isSet(JobOptions.RUNTIME_CHECKPOINT_DIR)) {
                RetainedCheckpoints.retainIn(flink, config.get(JobOptions.RUNTIME_CHECKPOINT_DIR));
            }
        }
        if (embedded) {
            // like a local run, leave nothing in the temp folder (Flink's RPC jar, blobs, ORT's copy)
            RunTempFolder temp = RunTempFolder.create();
            Runtime.getRuntime().addShutdownHook(new Thread(temp::delete, "leaf-embed temp cleanup"));
            RunTempFolder.useFor(flink, temp.path());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        System.err.println("leaf-embed: Kafka " + config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS) + ", topics "
                + (config.isSet(JobOptions.KAFKA_SOURCE_TOPICS) ? config.get(JobOptions.KAFKA_SOURCE_TOPICS)
                        : "matching " + config.get(JobOptions.KAFKA_SOURCE_TOPIC_PATTERN))
                + " -> " + (config.isJdbcSink() ? "table " + config.get(JobOptions.SINK_JDBC_TABLE) + " at "
                        + config.get(JobOptions.SINK_JDBC_URL) : config.get(JobOptions.KAFKA_SINK_TOPIC))
                + " (dead letters: " + config.deadLetterTopic()
                + ", " + config.get(JobOptions.KAFKA_SINK_DELIVERY_GUARANTEE) + ")");
        wire(env, config, UnaryOperator.identity());
        if (!embedded) {
            env.execute("leaf-embed");
            return 0;
        }
        JobExecutionResult result = KafkaProgress.runAndReport(env.executeAsync("leaf-embed"), System.err);
        // only a bounded run gets here (an unbounded one runs until it fails or is cancelled)
        GroupOffsetsAfterBoundedRun.settle(config, result.getAccumulatorResult(ConsumedOffsets.NAME), stopOffsets,
                System.err);
        if (config.get(JobOptions.RUNTIME_CHECKPOINT_INTERVAL_MS) > 0) {
            RetainedCheckpoints.finished(config.checkpointDir(), System.err);
            RetainedCheckpoints.localPath(config.checkpointDir()).ifPresent(BoundedStopOffsets::forget);
        }
        return 0;
    }

    /**
     * Wires the Kafka pipeline into {@code env}. {@code beforeSink} may wrap the result stream
     * (tests inject failures there); production passes identity.
     */
    public static void wire(StreamExecutionEnvironment env, JobConfig config,
            UnaryOperator<DataStream<EmbedResult>> beforeSink) {
        if (config.isSet(JobOptions.RUNTIME_PARALLELISM)) {
            env.setParallelism(config.get(JobOptions.RUNTIME_PARALLELISM));
        }
        int interval = config.get(JobOptions.RUNTIME_CHECKPOINT_INTERVAL_MS);
        if (interval > 0) {
            env.enableCheckpointing(interval, CheckpointingMode.EXACTLY_ONCE);
        }
        DataStream<RawRecord> raw = env
                .fromSource(KafkaSources.create(config), WatermarkStrategy.noWatermarks(), SOURCE_NAME)
                .uid(SOURCE_UID);
        RecordFormat format = config.get(JobOptions.INPUT_FORMAT).equals("text") ? RecordFormat.TEXT : RecordFormat.JSON;
        // on a cluster a slot is a core: one ONNX Runtime run of one thread per slot unless configured
        LeafEmbedJob.Outputs outputs = LeafEmbedJob.build(raw, config, format, 1);
        sinkTo(config, beforeSink.apply(outputs.results()), outputs.deadLetters());
    }

    /**
     * Serializes results and dead letters before their sinks (records too large for Kafka become
     * dead letters there, instead of failing a sink forever) and writes them.
     */
    private static void sinkTo(JobConfig config, DataStream<EmbedResult> results, DataStream<DeadLetter> deadLetters) {
        if (config.isJdbcSink()) {
            // one row per id, upserted: at-least-once delivery replayed after a failure leaves one row per id
            results.map(new CountEmbedded()).name("count results").uid(COUNT_RESULTS_UID)
                    .sinkTo(PostgresTable.of(config).sink()).name("results to postgresql").uid(JDBC_SINK_UID);
            deadLetters.process(KafkaSinks.deadLetterEncoder(config), TypeInformation.of(KafkaRecord.class))
                    .name("dead letters to Kafka records").uid(ENCODE_DEAD_LETTERS_UID)
                    .sinkTo(KafkaSinks.deadLetters(config)).name("dead letters to kafka").uid(DEAD_LETTER_SINK_UID);
            return;
        }
        SingleOutputStreamOperator<KafkaRecord> encoded = results
                .process(KafkaSinks.resultEncoder(config), TypeInformation.of(KafkaRecord.class))
                .name("results to Kafka records").uid(ENCODE_RESULTS_UID);
        encoded.sinkTo(KafkaSinks.results(config)).name("results to kafka").uid(RESULTS_SINK_UID);
        deadLetters.union(encoded.getSideOutput(ResultEncoder.TOO_LARGE))
                .process(KafkaSinks.deadLetterEncoder(config), TypeInformation.of(KafkaRecord.class))
                .name("dead letters to Kafka records").uid(ENCODE_DEAD_LETTERS_UID)
                .sinkTo(KafkaSinks.deadLetters(config)).name("dead letters to kafka").uid(DEAD_LETTER_SINK_UID);
    }
}
