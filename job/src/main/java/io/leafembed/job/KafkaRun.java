package io.leafembed.job;

import io.leafembed.function.EmbedResult;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import io.leafembed.job.sink.KafkaSinks;
import io.leafembed.job.source.KafkaSources;
import io.leafembed.job.source.RawRecord;
import io.leafembed.job.source.RecordFormat;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
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
    public static final String RESULTS_SINK_UID = "leaf-embed-kafka-results";
    public static final String DEAD_LETTER_SINK_UID = "leaf-embed-kafka-dead-letters";

    private KafkaRun() {}

    /** Builds and runs the job until it ends (bounded source) or is cancelled. */
    public static int run(JobConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        System.err.println("leaf-embed: " + ModelCheck.describe(config));
        if (env instanceof LocalStreamEnvironment) {
            // java -jar: the client runs the job, so it may (and should) check the models first
            ModelCheck.run(config, 1, System.err);
        }
        System.err.println("leaf-embed: Kafka " + config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS) + ", topics "
                + (config.isSet(JobOptions.KAFKA_SOURCE_TOPICS) ? config.get(JobOptions.KAFKA_SOURCE_TOPICS)
                        : "matching " + config.get(JobOptions.KAFKA_SOURCE_TOPIC_PATTERN))
                + " -> " + config.get(JobOptions.KAFKA_SINK_TOPIC) + " (dead letters: " + config.deadLetterTopic()
                + ", " + config.get(JobOptions.KAFKA_SINK_DELIVERY_GUARANTEE) + ")");
        wire(env, config, UnaryOperator.identity());
        env.execute("leaf-embed");
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
                .fromSource(KafkaSources.create(config), WatermarkStrategy.noWatermarks(), "kafka source")
                .uid(SOURCE_UID);
        RecordFormat format = config.get(JobOptions.INPUT_FORMAT).equals("text") ? RecordFormat.TEXT : RecordFormat.JSON;
        // on a cluster a slot is a core: one ONNX Runtime thread per slot unless configured
        LeafEmbedJob.Outputs outputs = LeafEmbedJob.build(raw, config, format, 1);
        beforeSink.apply(outputs.results()).sinkTo(KafkaSinks.results(config)).name("results to kafka")
                .uid(RESULTS_SINK_UID);
        outputs.deadLetters().sinkTo(KafkaSinks.deadLetters(config)).name("dead letters to kafka")
                .uid(DEAD_LETTER_SINK_UID);
    }
}
