package io.leafembed.bench;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.function.BatchingOptions;
import io.leafembed.function.EmbedRequest;
import io.leafembed.function.EmbeddingOperator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The production {@link EmbeddingOperator}, unchanged, that hands the benchmark (the MiniCluster
 * runs in this JVM) its token counters and the time and process CPU from its first record to the
 * end of its input (its last window flushed): the job's throughput without start-up and model
 * load, however busy the machine is.
 */
final class MeasuredOperator extends EmbeddingOperator {

    private static final long serialVersionUID = 1L;

    static final AtomicLong REAL_TOKENS = new AtomicLong();
    static final AtomicLong COMPUTED_POSITIONS = new AtomicLong();
    static final AtomicLong FIRST_NANOS = new AtomicLong();
    static final AtomicLong FIRST_CPU = new AtomicLong();
    static final AtomicLong END_NANOS = new AtomicLong();
    static final AtomicLong END_CPU = new AtomicLong();

    private transient boolean started;

    MeasuredOperator(EmbedderOptions options, BatchingOptions batching) {
        super(options, Map.of(), batching, 0);
    }

    static void reset() {
        for (AtomicLong a : new AtomicLong[] {REAL_TOKENS, COMPUTED_POSITIONS, FIRST_NANOS, FIRST_CPU, END_NANOS, END_CPU}) {
            a.set(0);
        }
    }

    @Override
    public void processElement(StreamRecord<EmbedRequest> record) throws Exception {
        if (!started) {
            started = true;
            FIRST_CPU.set(CpuClock.processCpuNanos());
            FIRST_NANOS.set(System.nanoTime());
        }
        super.processElement(record);
    }

    @Override
    public void finish() throws Exception {
        super.finish(); // flushes the last window
        END_NANOS.set(System.nanoTime());
        END_CPU.set(CpuClock.processCpuNanos());
        REAL_TOKENS.set(metrics().tokens());
        COMPUTED_POSITIONS.set(metrics().computedTokens());
    }
}
