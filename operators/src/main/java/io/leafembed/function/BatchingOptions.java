package io.leafembed.function;

import java.io.Serializable;

/**
 * How the embedding operator gathers records before running the model. A window closes when the
 * first of these happens: it holds {@code windowSize} records (the max window); its first record
 * has waited {@code maxWaitMillis} (the wait a lone record pays at low rates); or, with a {@code
 * latencyBudgetMillis}, the time its first record has waited plus the time the window will take to
 * embed (records held x the time per record measured on earlier windows) reaches the budget. The
 * window is then sorted by token length and cut into model batches by padded cost (see {@link
 * io.leafembed.batching.BatchPlanner}).
 *
 * <p>The trade this makes explicit: a larger window sorts better (less padding, see the README's
 * "Speed") but every record in it waits for the whole window. Under a backlog the count alone
 * would decide the latency (1,024 records at 200 texts/s hold the first for 5 s); the budget caps
 * it instead, so the window is as large as the budget allows at the throughput the model reaches.
 *
 * <p>{@code pipelined} embeds a closed window on a thread of its own while the task thread goes on
 * reading, parsing and filling the next window and writing out the one before; without it the
 * task thread waits while the model runs, and the model waits while the task thread works (on 2
 * cores, int8, the local job ran 509-573 texts/s that way and 605-613 pipelined; see the README's
 * "Speed"). Results still leave in arrival order, and every window is embedded and emitted before
 * a checkpoint barrier or watermark passes.
 *
 * @param windowSize most records per window, at least 1
 * @param maxWaitMillis how long the first record of a window may wait, at least 0 (0 means every
 *     record is embedded as it arrives)
 * @param latencyBudgetMillis the first record's wait plus the window's expected embedding time, at
 *     least 0 (0: no budget, windows close by count and wait only)
 * @param pipelined whether a window is embedded while the next one fills (at most one in flight)
 */
public record BatchingOptions(int windowSize, long maxWaitMillis, long latencyBudgetMillis, boolean pipelined)
        implements Serializable {

    /** The time per record assumed before the first window has been measured (200 texts/s). */
    public static final long ASSUMED_NANOS_PER_RECORD = 5_000_000L;

    /** At most 1,024 records, 50 ms of waiting, 1 s of latency budget, pipelined. */
    public static BatchingOptions defaults() {
        return new BatchingOptions(1024, 50, 1000);
    }

    /** Pipelined windows closed by count and wait only (no latency budget). */
    public BatchingOptions(int windowSize, long maxWaitMillis) {
        this(windowSize, maxWaitMillis, 0);
    }

    /** Pipelined windows. */
    public BatchingOptions(int windowSize, long maxWaitMillis, long latencyBudgetMillis) {
        this(windowSize, maxWaitMillis, latencyBudgetMillis, true);
    }

    /** These options, with windows pipelined or embedded on the task thread. */
    public BatchingOptions withPipelining(boolean pipelined) {
        return new BatchingOptions(windowSize, maxWaitMillis, latencyBudgetMillis, pipelined);
    }

    public BatchingOptions {
        if (windowSize < 1) {
            throw new IllegalArgumentException("batching window size must be at least 1 but was " + windowSize);
        }
        if (maxWaitMillis < 0) {
            throw new IllegalArgumentException("batching max wait must be >= 0 ms but was " + maxWaitMillis);
        }
        if (latencyBudgetMillis < 0) {
            throw new IllegalArgumentException("batching latency budget must be >= 0 ms (0: none) but was "
                    + latencyBudgetMillis);
        }
    }

    /**
     * Whether a window of {@code records}, whose first record arrived {@code waitedNanos} ago, has
     * used its latency budget when embedding takes {@code nanosPerRecord} per record.
     */
    public boolean budgetReached(int records, long waitedNanos, long nanosPerRecord) {
        if (latencyBudgetMillis == 0) {
            return false;
        }
        long expected = waitedNanos + records * nanosPerRecord;
        return expected >= latencyBudgetMillis * 1_000_000L;
    }
}
