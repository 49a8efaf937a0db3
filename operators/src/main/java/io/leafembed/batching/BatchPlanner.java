package io.leafembed.batching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Cuts a window of tokenized texts into model batches by padded cost.
 *
 * <p>A padded batch costs {@code longest x count} token positions. On mixed-length English, batches
 * of 32 in arrival order computed 2.7x the real tokens; sorted by length and cut every 32 texts,
 * 1.34x on a long-tailed corpus (median 18, max 200 tokens), because the last batches of a window
 * mix the short texts' neighbours with the long tail. So the planner sorts the window by token
 * count and then chooses the cut points that minimize the window's total cost: the computed token
 * positions plus {@code runCostTokens} for each model run (a run's fixed cost: launching every
 * kernel once, and the poorer efficiency of small matrix products). Batch sizes therefore vary: many
 * short texts share one batch, and a long text is only padded-to or grouped with texts close to its
 * length. No batch holds more than {@code maxBatchSize} texts or more than {@code maxBatchTokens}
 * padded positions (a text longer than the budget runs alone).
 *
 * <p>The minimum is exact: grouping texts that are contiguous in length order is optimal for this
 * cost, and a dynamic program over the sorted lengths finds the best cuts in {@code O(n x
 * maxBatchSize)} steps (65,536 for a window of 1,024 texts and batches of up to 64, next to
 * seconds of model time). Example: lengths {@code [5, 40, 6, 38]}, max 2 per batch, give batches {@code [0,
 * 2]} (5, 6) and {@code [3, 1]} (38, 40).
 */
public final class BatchPlanner {

    /**
     * The default fixed cost of one model run, in token positions. Derived from issue 10's
     * quiet-machine figures for all-MiniLM-L6-v2 on 2 cores: one text per run (LangChain4j) lost
     * ~2.4 ms (fp32) and ~0.6 ms (int8) per text against raw sorted batches, which is 11 to 18
     * token positions of model time. The benchmark's "(a) padded-cost plan" row tests it, and
     * {@code --tuning-batches} sweeps it: 16 was at or near the best of 0, 16, 32 and 64 for fp32
     * and int8 on windows of 256 and 1,024 texts (README "Speed").
     */
    public static final int DEFAULT_RUN_COST_TOKENS = 16;

    private final int maxBatchSize;
    private final int maxBatchTokens;
    private final int runCostTokens;

    /** A planner with the {@link #DEFAULT_RUN_COST_TOKENS default run cost}. */
    public BatchPlanner(int maxBatchSize, int maxBatchTokens) {
        this(maxBatchSize, maxBatchTokens, DEFAULT_RUN_COST_TOKENS);
    }

    /**
     * @param maxBatchSize most texts in one batch, at least 1
     * @param maxBatchTokens most padded positions ({@code longest x texts}) in one batch, at least 1
     * @param runCostTokens what one more model run costs, in token positions, at least 0 (0 plans
     *     the least padding whatever the number of runs)
     */
    public BatchPlanner(int maxBatchSize, int maxBatchTokens, int runCostTokens) {
        if (maxBatchSize < 1 || maxBatchTokens < 1) {
            throw new IllegalArgumentException("batch limits must be positive but were "
                    + maxBatchSize + " texts and " + maxBatchTokens + " tokens");
        }
        if (runCostTokens < 0) {
            throw new IllegalArgumentException("run cost must be >= 0 token positions but was " + runCostTokens);
        }
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
        this.runCostTokens = runCostTokens;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    public int runCostTokens() {
        return runCostTokens;
    }

    /**
     * Plans batches over texts with the given token counts.
     *
     * @return batches of indices into {@code tokenCounts}, each sorted by ascending length (equal
     *     lengths in input order), the batches in ascending length; every index appears exactly
     *     once. A text longer than the token budget gets a batch of its own.
     */
    public List<int[]> plan(int[] tokenCounts) {
        int n = tokenCounts.length;
        // stable sort: equal lengths keep arrival order
        int[] order = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingInt(i -> tokenCounts[i]))
                .mapToInt(Integer::intValue).toArray();
        // best[i]: least cost of the first i sorted texts; cut[i]: where their last batch starts
        long[] best = new long[n + 1];
        int[] cut = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            long longest = tokenCounts[order[i - 1]];
            best[i] = Long.MAX_VALUE;
            // the last batch is sorted texts [j, i); its padded cost is (i - j) x longest
            for (int j = i - 1; j >= 0 && i - j <= maxBatchSize; j--) {
                long positions = (i - j) * longest;
                if (positions > maxBatchTokens && i - j > 1) {
                    break; // larger batches only cost more positions
                }
                long cost = best[j] + positions + runCostTokens;
                if (cost <= best[i]) { // ties: the larger batch, so fewer runs
                    best[i] = cost;
                    cut[i] = j;
                }
            }
        }
        List<int[]> batches = new ArrayList<>();
        for (int i = n; i > 0; i = cut[i]) {
            batches.add(Arrays.copyOfRange(order, cut[i], i));
        }
        java.util.Collections.reverse(batches);
        return batches;
    }

    /** Token positions a plan computes: each batch's longest text times its size. */
    public static long computedPositions(int[] tokenCounts, List<int[]> plan) {
        long total = 0;
        for (int[] batch : plan) {
            total += paddedPositions(tokenCounts, batch);
        }
        return total;
    }

    /** Token positions one batch (indices into {@code tokenCounts}) computes: its longest text times its size. */
    public static long paddedPositions(int[] tokenCounts, int[] batch) {
        int longest = 0;
        for (int i : batch) {
            longest = Math.max(longest, tokenCounts[i]);
        }
        return (long) longest * batch.length;
    }

    /** Real tokens of a window (what an unpadded run would compute). */
    public static long realTokens(int[] tokenCounts) {
        long total = 0;
        for (int count : tokenCounts) {
            total += count;
        }
        return total;
    }
}
