package io.leafembed.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

    @Test
    void sortsByLengthAndCutsBySize() {
        List<int[]> batches = new BatchPlanner(2, 10_000).plan(new int[] {5, 40, 6, 38});
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).containsExactly(0, 2);
        assertThat(batches.get(1)).containsExactly(3, 1);
    }

    @Test
    void cutsByPaddedTokenCostAndKeepsEveryIndexOnce() {
        int[] lengths = {100, 10, 100, 10, 100, 10, 300};
        List<int[]> batches = new BatchPlanner(32, 250).plan(lengths);
        checkPlan(lengths, batches, 32, 250);
        assertThat(batches.get(batches.size() - 1)).containsExactly(6); // over budget: alone
    }

    @Test
    void aLongTextIsNotPaddedOntoManyShortOnes() {
        // fixed batches of 32 would pad 31 texts of 12 tokens to 200
        int[] lengths = new int[32];
        Arrays.fill(lengths, 12);
        lengths[7] = 200;
        List<int[]> batches = new BatchPlanner(32, 16_384).plan(lengths);
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).containsExactly(7);
        assertThat(BatchPlanner.computedPositions(lengths, batches)).isEqualTo(BatchPlanner.realTokens(lengths));
    }

    @Test
    void keepsShortTextsTogetherWhenAnExtraRunCostsMoreThanThePadding() {
        // one run for {10, 11}: 22 positions + 16; two runs: 21 positions + 32
        List<int[]> batches = new BatchPlanner(32, 16_384, 16).plan(new int[] {11, 10});
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).containsExactly(1, 0);
        // with no run cost the least padding wins
        assertThat(new BatchPlanner(32, 16_384, 0).plan(new int[] {11, 10})).hasSize(2);
    }

    /** The corpus shape: median ~18 tokens, long tail to 200, mean ~24.5. */
    private static int[] longTailedLengths(Random random, int n) {
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            double tokens = Math.exp(Math.log(18) + 0.785 * random.nextGaussian());
            lengths[i] = (int) Math.max(3, Math.min(200, Math.round(tokens)));
        }
        lengths[random.nextInt(n)] = 200;
        return lengths;
    }

    @Test
    void longTailedWindowsComputeAtMostTenPercentMoreThanTheRealTokens() {
        Random random = new Random(10);
        int[] corpus = longTailedLengths(random, 21_144);
        int[] sortedCopy = corpus.clone();
        Arrays.sort(sortedCopy);
        assertThat(sortedCopy[corpus.length / 2]).isBetween(16, 20); // the shape the test claims
        // the operator's windows: its default max window, and the smaller windows the latency
        // budget may choose under load
        for (int window : new int[] {128, 256, 1024}) {
            BatchPlanner planner = new BatchPlanner(32, 16_384);
            long computed = 0;
            long fixedCountComputed = 0;
            for (int start = 0; start < corpus.length; start += window) {
                int[] lengths = Arrays.copyOfRange(corpus, start, Math.min(corpus.length, start + window));
                List<int[]> plan = planner.plan(lengths);
                checkPlan(lengths, plan, 32, 16_384);
                computed += BatchPlanner.computedPositions(lengths, plan);
                fixedCountComputed += BatchPlanner.computedPositions(lengths, sortedFixedCount(lengths, 32));
            }
            double ratio = (double) computed / BatchPlanner.realTokens(corpus);
            double fixedRatio = (double) fixedCountComputed / BatchPlanner.realTokens(corpus);
            assertThat(ratio).as("padding at window %d", window).isLessThanOrEqualTo(1.10);
            // what the padding-aware plan gains over cutting the sorted window every 32 texts
            assertThat(ratio).as("window %d against fixed batches (%.3f)", window, fixedRatio)
                    .isLessThan(fixedRatio);
        }
    }

    /** The former planner: the sorted window cut every {@code size} texts. */
    private static List<int[]> sortedFixedCount(int[] lengths, int size) {
        Integer[] order = new Integer[lengths.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Integer.compare(lengths[a], lengths[b]));
        List<int[]> plan = new ArrayList<>();
        for (int i = 0; i < order.length; i += size) {
            plan.add(Arrays.stream(order, i, Math.min(order.length, i + size)).mapToInt(Integer::intValue).toArray());
        }
        return plan;
    }

    @Test
    void randomWindowsNeverBreakTheLimits() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            int n = random.nextInt(300);
            int maxSize = 1 + random.nextInt(64);
            int maxTokens = 1 + random.nextInt(4_000);
            int runCost = random.nextInt(64);
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                lengths[i] = random.nextBoolean() ? 1 + random.nextInt(40) : 1 + random.nextInt(512);
            }
            checkPlan(lengths, new BatchPlanner(maxSize, maxTokens, runCost).plan(lengths), maxSize, maxTokens);
        }
    }

    @Test
    void randomSmallWindowsGetTheCheapestOfAllPartitions() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(8);
            int maxSize = 1 + random.nextInt(5);
            int maxTokens = 20 + random.nextInt(300);
            int runCost = random.nextInt(40);
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                lengths[i] = 1 + random.nextInt(random.nextBoolean() ? 20 : 150);
            }
            List<int[]> plan = new BatchPlanner(maxSize, maxTokens, runCost).plan(lengths);
            long planned = BatchPlanner.computedPositions(lengths, plan) + (long) runCost * plan.size();
            long best = cheapestPartition(lengths, maxSize, maxTokens, runCost, new int[n], 0, 0);
            assertThat(planned).as("lengths %s, max %d texts / %d tokens, run cost %d",
                    Arrays.toString(lengths), maxSize, maxTokens, runCost).isEqualTo(best);
        }
    }

    /**
     * Brute force over every set partition of the texts (restricted growth strings), independent
     * of the planner's sorted-contiguous shortcut: the least positions + run costs of a valid one.
     */
    private static long cheapestPartition(int[] lengths, int maxSize, int maxTokens, int runCost,
            int[] block, int index, int blocks) {
        if (index == lengths.length) {
            long cost = (long) runCost * blocks;
            for (int b = 0; b < blocks; b++) {
                int size = 0;
                int longest = 0;
                for (int i = 0; i < lengths.length; i++) {
                    if (block[i] == b) {
                        size++;
                        longest = Math.max(longest, lengths[i]);
                    }
                }
                if (size > maxSize || (size > 1 && (long) size * longest > maxTokens)) {
                    return Long.MAX_VALUE;
                }
                cost += (long) size * longest;
            }
            return cost;
        }
        long best = Long.MAX_VALUE;
        for (int b = 0; b <= blocks; b++) {
            block[index] = b;
            best = Math.min(best, cheapestPartition(lengths, maxSize, maxTokens, runCost, block, index + 1,
                    Math.max(blocks, b + 1)));
        }
        return best;
    }

    private static void checkPlan(int[] lengths, List<int[]> plan, int maxSize, int maxTokens) {
        for (int[] batch : plan) {
            assertThat(batch.length).isBetween(1, maxSize);
            int longest = Arrays.stream(batch).map(i -> lengths[i]).max().getAsInt();
            assertThat((long) longest * batch.length <= maxTokens || batch.length == 1)
                    .as("batch of %d with longest %d within %d tokens", batch.length, longest, maxTokens).isTrue();
            for (int k = 1; k < batch.length; k++) {
                assertThat(lengths[batch[k]]).isGreaterThanOrEqualTo(lengths[batch[k - 1]]);
            }
        }
        int[] all = plan.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        int[] expected = new int[lengths.length];
        Arrays.setAll(expected, i -> i);
        assertThat(all).containsExactly(expected);
    }
}
