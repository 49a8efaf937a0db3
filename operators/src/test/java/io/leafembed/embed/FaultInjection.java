package io.leafembed.embed;

import io.leafembed.tokenize.TokenBatch;
import java.util.List;
import java.util.function.Consumer;

/**
 * Opens Embedders whose tokenizer calls or model runs can be made to fail, for tests of failure
 * isolation in other packages (the seam in {@link Embedder} is package-private).
 */
public final class FaultInjection {

    private FaultInjection() {}

    /** Opens the model of {@code options}; {@code beforeRun} sees every batch first and may throw. */
    public static Embedder failingModel(EmbedderOptions options, Consumer<TokenBatch> beforeRun) {
        return Embedder.open(options, new Embedder.Faults() {
            @Override
            public void beforeModelRun(TokenBatch batch) {
                beforeRun.accept(batch);
            }
        });
    }

    /**
     * Opens the model of {@code options}; {@code beforeTokenize} sees the (prompted) texts of every
     * tokenizer call first and may throw.
     */
    public static Embedder failingTokenizer(EmbedderOptions options, Consumer<List<String>> beforeTokenize) {
        return Embedder.open(options, new Embedder.Faults() {
            @Override
            public void beforeTokenize(List<String> texts) {
                beforeTokenize.accept(texts);
            }
        });
    }
}
