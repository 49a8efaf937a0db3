package io.leafembed.bench;

/**
 * One timed run of one contender on one model: how many texts and real tokens it embedded, how
 * many token positions it computed (real tokens plus padding; 0 when the contender does not say),
 * the wall time and the CPU time it used.
 */
record Measurement(String contender, String model, int texts, long realTokens, long computedPositions,
        long wallNanos, long cpuNanos, String note) {

    /** This run under the name of a tuning variant: {@code contender} plus {@code variant}. */
    Measurement asVariant(String variant) {
        return new Measurement(contender + ", " + variant, model, texts, realTokens, computedPositions, wallNanos,
                cpuNanos, "tuning variant");
    }

    double textsPerSecond() {
        return texts / (wallNanos / 1e9);
    }

    double tokensPerSecond() {
        return realTokens / (wallNanos / 1e9);
    }

    /** CPU time over wall time: how many cores the run kept busy (-1 when unknown). */
    double coresUsed() {
        return cpuNanos < 0 ? -1 : (double) cpuNanos / wallNanos;
    }

    /** Computed positions over real tokens, or NaN when the contender does not report them. */
    double paddingRatio() {
        return computedPositions <= 0 ? Double.NaN : (double) computedPositions / realTokens;
    }
}
