package io.leafembed.batching;

/**
 * Told about every model batch an Embedder runs: how many texts, how many real tokens, how many
 * token positions were computed (longest x texts), and how long ONNX Runtime took. The Flink
 * operator turns these into metrics.
 */
@FunctionalInterface
public interface BatchListener {

    /** Does nothing. */
    BatchListener NONE = (texts, realTokens, computedTokens, nanos) -> {};

    void onBatch(int texts, long realTokens, long computedTokens, long inferenceNanos);
}
