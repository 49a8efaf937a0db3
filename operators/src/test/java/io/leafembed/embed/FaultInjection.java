package io.leafembed.embed;

import io.leafembed.tokenize.TokenBatch;
import java.util.function.Consumer;

/**
 * Opens Embedders whose model runs can be made to fail, for tests of failure isolation in other
 * packages (the seam in {@link Embedder} is package-private).
 */
public final class FaultInjection {

    private FaultInjection() {}

    /** Opens the model of {@code options}; {@code beforeRun} sees every batch first and may throw. */
    public static Embedder open(EmbedderOptions options, Consumer<TokenBatch> beforeRun) {
        return Embedder.open(options, run -> batch -> {
            beforeRun.accept(batch);
            return run.apply(batch);
        });
    }
}
