package io.leafembed.it;

import io.leafembed.function.EmbedResult;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Fails the job the first time it sees one of the given record ids; after the restart the
 * replayed record passes. State is static because the MiniCluster runs in the test's JVM and
 * restarts deserialize a fresh copy of the function.
 */
final class FailOnce implements MapFunction<EmbedResult, EmbedResult> {

    private static final long serialVersionUID = 1L;
    static final Set<String> FAILED = ConcurrentHashMap.newKeySet();
    static final AtomicInteger FAILURES = new AtomicInteger();

    private final Set<String> failAt;

    FailOnce(Set<String> failAt) {
        this.failAt = failAt;
    }

    static void reset() {
        FAILED.clear();
        FAILURES.set(0);
    }

    @Override
    public EmbedResult map(EmbedResult r) {
        if (failAt.contains(r.id()) && FAILED.add(r.id())) {
            FAILURES.incrementAndGet();
            throw new IllegalStateException("injected failure at record " + r.id());
        }
        return r;
    }
}
