package io.leafembed.function;

import java.io.Serializable;

/**
 * How the embedding operator gathers records before running the model: up to {@code windowSize}
 * records, or whatever arrived within {@code maxWaitMillis} of the window's first record. The
 * window is then sorted by token length and cut into model batches by the Embedder's {@code
 * maxBatchSize} and {@code maxBatchTokens}. A larger window sorts better (less padding) but holds
 * records longer.
 *
 * @param windowSize records per window, at least 1
 * @param maxWaitMillis how long the first record of a window may wait, at least 0 (0 means every
 *     record is embedded as it arrives)
 */
public record BatchingOptions(int windowSize, long maxWaitMillis) implements Serializable {

    /** 256 records or 50 ms. */
    public static BatchingOptions defaults() {
        return new BatchingOptions(256, 50);
    }

    public BatchingOptions {
        if (windowSize < 1) {
            throw new IllegalArgumentException("batching window size must be at least 1 but was " + windowSize);
        }
        if (maxWaitMillis < 0) {
            throw new IllegalArgumentException("batching max wait must be >= 0 ms but was " + maxWaitMillis);
        }
    }
}
