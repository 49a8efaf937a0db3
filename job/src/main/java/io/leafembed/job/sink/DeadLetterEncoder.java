package io.leafembed.job.sink;

import io.leafembed.function.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes dead letters for the dead-letter KafkaSink as JSON keyed by record id ({@link
 * JsonRecords#deadLetter}: at most {@code output.dead-letter.max-original-bytes} of the original),
 * and makes sure each fits the producer's size limit, because a dead letter Kafka refuses would
 * fail the sink task and restart the job forever. If the bounded form is still too large (a
 * configured prefix near the limit, a huge id), the dead letter is written without its original
 * and with its id (and key) cut to {@value #MAX_ID_CHARS} characters, and a warning is logged:
 * the record's topic, partition and offset still say where the whole original is. Counts what
 * it passes on in the accumulator {@link #DEAD_LETTERS}.
 */
public final class DeadLetterEncoder extends ProcessFunction<DeadLetter, KafkaRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterEncoder.class);

    /** Accumulator: dead letters handed to the dead-letter sink. */
    public static final String DEAD_LETTERS = "leafembed-dead-letters";

    static final int MAX_ID_CHARS = 1024;

    private final JsonRecords json;
    private final long maxRecordBytes;
    private transient LongCounter deadLetters;

    /**
     * @param maxOriginalBytes most bytes of the original a dead letter keeps
     * @param maxRecordBytes the producer's max.request.size
     */
    public DeadLetterEncoder(int maxOriginalBytes, long maxRecordBytes) {
        this.json = new JsonRecords(OutputEncoding.JSON, "embedding", maxOriginalBytes);
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        deadLetters = getRuntimeContext().getLongCounter(DEAD_LETTERS);
    }

    @Override
    public void processElement(DeadLetter d, Context ctx, Collector<KafkaRecord> out) {
        if (deadLetters != null) {
            deadLetters.add(1);
        }
        out.collect(encode(d));
    }

    /** The dead letter as a Kafka record no larger than the limit. */
    KafkaRecord encode(DeadLetter d) {
        KafkaRecord record = record(d.id(), json.deadLetter(d));
        if (record.sizeInBytes() <= maxRecordBytes) {
            return record;
        }
        LOG.warn("The dead letter of record {} (source {}) is {} bytes, over the Kafka producer's limit of {}"
                        + " (max.request.size): writing it without its original and with its id cut to {} chars",
                d.id() == null ? null : d.id().substring(0, Math.min(d.id().length(), 80)), d.source(),
                record.sizeInBytes(), maxRecordBytes, MAX_ID_CHARS);
        String id = d.id() == null || d.id().length() <= MAX_ID_CHARS ? d.id() : d.id().substring(0, MAX_ID_CHARS);
        return record(id, json.deadLetter(d, 0, MAX_ID_CHARS));
    }

    private static KafkaRecord record(String id, String value) {
        byte[] key = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
        return new KafkaRecord(key, value.getBytes(StandardCharsets.UTF_8), new String[0], new byte[0][]);
    }
}
