package io.leafembed.bench;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.function.BatchingOptions;
import io.leafembed.function.EmbeddingOperator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The production {@link EmbeddingOperator}, unchanged, that hands its token counters to the
 * benchmark when it closes (the MiniCluster runs in this JVM), so (c) reports its padding too.
 */
final class MeasuredOperator extends EmbeddingOperator {

    private static final long serialVersionUID = 1L;

    static final AtomicLong REAL_TOKENS = new AtomicLong();
    static final AtomicLong COMPUTED_POSITIONS = new AtomicLong();

    MeasuredOperator(EmbedderOptions options, BatchingOptions batching) {
        super(options, Map.of(), batching, 0);
    }

    @Override
    public void close() throws Exception {
        if (metrics() != null) {
            REAL_TOKENS.addAndGet(metrics().tokens());
            COMPUTED_POSITIONS.addAndGet(metrics().computedTokens());
        }
        super.close();
    }
}
