package io.leafembed.job.sink;

import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedResult;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Serializes embedded records for the results KafkaSink ({@link ResultSerializer}) and checks
 * each against the producer's size limit first: a record Kafka would refuse (a text near {@code
 * input.max-text-bytes} plus its embedding, or escaped control characters) would fail the sink
 * task and restart the job forever on the same record, so it becomes a dead letter of stage
 * {@code output} instead. Counts what it passes on in the accumulator {@link #EMBEDDED}.
 */
public final class ResultEncoder extends ProcessFunction<EmbedResult, KafkaRecord> {

    private static final long serialVersionUID = 1L;

    /** Accumulator: embedded records handed to the results sink. */
    public static final String EMBEDDED = "leafembed-embedded";

    /** Embedded records too large for the results topic. */
    public static final OutputTag<DeadLetter> TOO_LARGE = new OutputTag<>("results-too-large") {};

    private final ResultSerializer serializer;
    private final long maxRecordBytes;
    private transient LongCounter embedded;

    /** @param maxRecordBytes the producer's max.request.size */
    public ResultEncoder(ResultSerializer serializer, long maxRecordBytes) {
        this.serializer = serializer;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        embedded = getRuntimeContext().getLongCounter(EMBEDDED);
        // runs beside the results KafkaSink: close what its writer leaves open when the job leaves
        LeakedAdminClients.closeWhenJobLeaves(getRuntimeContext());
    }

    @Override
    public void processElement(EmbedResult result, Context ctx, Collector<KafkaRecord> out) {
        KafkaRecord record = KafkaRecord.of(serializer.serialize(result, null, null));
        long size = record.sizeInBytes();
        if (size > maxRecordBytes) {
            byte[] original = result.payload() == null ? new byte[0] : result.payload().getBytes(StandardCharsets.UTF_8);
            ctx.output(TOO_LARGE, new DeadLetter(result.id(), "output", "the embedded record is about " + size
                    + " bytes, over the Kafka producer's limit of " + maxRecordBytes + " (max.request.size; raise it"
                    + " with kafka.properties.max.request.size and the topic's max.message.bytes, or lower"
                    + " input.max-text-bytes)", original, null));
            return;
        }
        embedded.add(1);
        out.collect(record);
    }
}
