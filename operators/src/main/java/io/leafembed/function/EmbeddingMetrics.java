package io.leafembed.function;

import io.leafembed.batching.BatchListener;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The embedding operators' metrics, registered under the operator's metric group (group {@code
 * leafembed}): counters {@code recordsIn}, {@code recordsOut}, {@code deadLetters}, {@code
 * truncatedTexts}, {@code cacheHits}, {@code tokens}, {@code computedTokens}; meters {@code
 * embeddingsPerSecond}, {@code tokensPerSecond}; histograms {@code batchSize} and {@code
 * inferenceLatencyMs}; gauge {@code paddingRatio} (computed token positions over real tokens,
 * since start; 1.0 means no padding).
 */
public final class EmbeddingMetrics implements BatchListener {

    private final Counter recordsIn;
    private final Counter recordsOut;
    private final Counter deadLetters;
    private final Counter truncatedTexts;
    private final Counter cacheHits;
    private final Counter tokens;
    private final Counter computedTokens;
    private final Counter batches;
    private final Counter batchedTexts;
    private final Histogram batchSize;
    private final Histogram inferenceLatencyMs;

    public EmbeddingMetrics(MetricGroup operatorGroup) {
        MetricGroup group = operatorGroup.addGroup("leafembed");
        recordsIn = group.counter("recordsIn");
        recordsOut = group.counter("recordsOut");
        deadLetters = group.counter("deadLetters");
        truncatedTexts = group.counter("truncatedTexts");
        cacheHits = group.counter("cacheHits");
        tokens = group.counter("tokens");
        computedTokens = group.counter("computedTokens");
        batches = group.counter("batches");
        batchedTexts = group.counter("batchedTexts");
        group.meter("embeddingsPerSecond", new MeterView(recordsOut));
        group.meter("tokensPerSecond", new MeterView(tokens));
        batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        inferenceLatencyMs = group.histogram("inferenceLatencyMs", new DescriptiveStatisticsHistogram(1000));
        group.gauge("paddingRatio", this::paddingRatio);
    }

    @Override
    public void onBatch(int texts, long realTokens, long computed, long inferenceNanos) {
        batches.inc();
        batchedTexts.inc(texts);
        batchSize.update(texts);
        tokens.inc(realTokens);
        computedTokens.inc(computed);
        inferenceLatencyMs.update(inferenceNanos / 1_000_000);
    }

    public void recordIn() {
        recordsIn.inc();
    }

    public void recordOut(boolean truncated) {
        recordsOut.inc();
        if (truncated) {
            truncatedTexts.inc();
        }
    }

    public void deadLetter() {
        deadLetters.inc();
    }

    public void cacheHit() {
        cacheHits.inc();
    }

    /** Computed token positions over real tokens since start (1.0 before any batch). */
    public double paddingRatio() {
        return tokens.getCount() == 0 ? 1.0 : (double) computedTokens.getCount() / tokens.getCount();
    }

    /** Mean texts per model batch since start. */
    public double meanBatchSize() {
        return batches.getCount() == 0 ? 0 : (double) batchedTexts.getCount() / batches.getCount();
    }

    public long recordsIn() {
        return recordsIn.getCount();
    }

    public long recordsOut() {
        return recordsOut.getCount();
    }

    public long deadLetters() {
        return deadLetters.getCount();
    }

    /** Real (unpadded) tokens embedded since start. */
    public long tokens() {
        return tokens.getCount();
    }

    /** Token positions the model computed since start (real tokens plus padding). */
    public long computedTokens() {
        return computedTokens.getCount();
    }

    public long batches() {
        return batches.getCount();
    }
}
