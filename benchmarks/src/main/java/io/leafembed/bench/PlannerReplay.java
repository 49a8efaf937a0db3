package io.leafembed.bench;

import io.leafembed.batching.BatchPlanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The padding each batch plan gives on the corpus's real token counts (no model runs, so these
 * numbers do not depend on how busy the machine is): the previous planner (sorted window cut every
 * 32 texts) and this one (padded cost plus a per-run cost), at several window sizes, and the whole
 * corpus sorted at once (the plan of the raw ceiling (a)).
 */
final class PlannerReplay {

    private PlannerReplay() {}

    static List<String> table(int[] lengths) {
        List<String> rows = new ArrayList<>();
        rows.add("| window (texts) | sorted, cut every 32 (previous planner) | padded cost (this planner) | batches (this planner) |");
        rows.add("|---|---|---|---|");
        BatchPlanner planner = new BatchPlanner(32, 16_384);
        for (int window : new int[] {64, 128, 256, 512, 1024}) {
            long fixed = 0;
            long costed = 0;
            long batches = 0;
            for (int start = 0; start < lengths.length; start += window) {
                int[] w = Arrays.copyOfRange(lengths, start, Math.min(lengths.length, start + window));
                fixed += everyThirtyTwo(w);
                List<int[]> plan = planner.plan(w);
                costed += BatchPlanner.computedPositions(w, plan);
                batches += plan.size();
            }
            double real = BatchPlanner.realTokens(lengths);
            rows.add(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %d |", window, fixed / real, costed / real, batches));
        }
        long whole = everyThirtyTwo(lengths);
        rows.add(String.format(Locale.ROOT, "| whole corpus, sorted, batches of 32 (the plan of (a)) | %.3f | | |",
                whole / (double) BatchPlanner.realTokens(lengths)));
        return rows;
    }

    /** Positions of the sorted window cut every 32 texts (the previous planner; no text here nears its token budget). */
    private static long everyThirtyTwo(int[] window) {
        int[] sorted = window.clone();
        Arrays.sort(sorted);
        long positions = 0;
        for (int start = 0; start < sorted.length; start += 32) {
            int end = Math.min(sorted.length, start + 32);
            positions += (long) sorted[end - 1] * (end - start);
        }
        return positions;
    }
}
