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
 * runs in this JVM) its counters, time and process CPU at two points: when its results first
 * reach {@link #MARK_AT} (seen at the next record) and at the end of its input (its last window
 * flushed). The difference is a sustained rate: without start-up, model load, the first windows
 * and most of the JIT's warm-up, however busy the machine is.
 */
final class MeasuredOperator extends EmbeddingOperator {

    private static final long serialVersionUID = 1L;

    /** Results out before the timed part starts. */
    static final AtomicLong MARK_AT = new AtomicLong();
    static final AtomicLong MARK_OUT = new AtomicLong();
    static final AtomicLong MARK_TOKENS = new AtomicLong();
    static final AtomicLong MARK_POSITIONS = new AtomicLong();
    static final AtomicLong MARK_NANOS = new AtomicLong();
    static final AtomicLong MARK_CPU = new AtomicLong();
    static final AtomicLong END_OUT = new AtomicLong();
    static final AtomicLong END_TOKENS = new AtomicLong();
    static final AtomicLong END_POSITIONS = new AtomicLong();
    static final AtomicLong END_NANOS = new AtomicLong();
    static final AtomicLong END_CPU = new AtomicLong();

    private transient boolean marked;

    /** Something to run at the mark and at the end (the CPU profile), or null. */
    @FunctionalInterface
    interface Hook {
        void run() throws Exception;
    }

    private static volatile Hook onMark;
    private static volatile Hook onEnd;

    static void onMark(Hook hook) {
        onMark = hook;
    }

    static void onEnd(Hook hook) {
        onEnd = hook;
    }

    MeasuredOperator(EmbedderOptions options, BatchingOptions batching) {
        super(options, Map.of(), batching, 0);
    }

    /** Clears the counters; the timed part starts once {@code markAt} results are out. */
    static void reset(long markAt) {
        for (AtomicLong a : new AtomicLong[] {MARK_OUT, MARK_TOKENS, MARK_POSITIONS, MARK_NANOS, MARK_CPU, END_OUT,
                END_TOKENS, END_POSITIONS, END_NANOS, END_CPU}) {
            a.set(0);
        }
        MARK_AT.set(markAt);
    }

    @Override
    public void processElement(StreamRecord<EmbedRequest> record) throws Exception {
        if (!marked && metrics().recordsOut() >= MARK_AT.get()) {
            marked = true;
            MARK_NANOS.set(System.nanoTime());
            MARK_CPU.set(CpuClock.processCpuNanos());
            MARK_OUT.set(metrics().recordsOut());
            MARK_TOKENS.set(metrics().tokens());
            MARK_POSITIONS.set(metrics().computedTokens());
            Hook hook = onMark;
            if (hook != null) {
                hook.run();
            }
        }
        super.processElement(record);
    }

    @Override
    public void finish() throws Exception {
        super.finish(); // flushes the last window
        END_NANOS.set(System.nanoTime());
        END_CPU.set(CpuClock.processCpuNanos());
        END_OUT.set(metrics().recordsOut());
        END_TOKENS.set(metrics().tokens());
        END_POSITIONS.set(metrics().computedTokens());
        Hook hook = onEnd;
        if (hook != null && marked) {
            hook.run();
        }
    }
}
