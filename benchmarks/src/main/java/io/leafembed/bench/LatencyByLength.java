package io.leafembed.bench;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import java.util.Arrays;
import java.util.Locale;

/**
 * Single-query latency as a function of the query's length, fitted to a fixed cost plus a cost
 * per token, next to what one core reads from memory per second. It says where a latency target
 * at batch 1 stops being reachable: an fp32 MiniLM-L6 encoder multiplies every token by the same
 * 10.6 M matrix weights (42.5 MB in fp32, more than the 32 MB L3 of the machines it was measured
 * on), so even a one-token run reads most of them from memory again; the fixed cost (which also
 * holds tokenizing and pooling) was consistent with that, and each token adds its 21 MFLOP of
 * matrix products (the slope). A model's query prompt (mdbr-leaf-mt's is 8 tokens) is paid on
 * every query.
 */
final class LatencyByLength {

    /** Query lengths in words (about a token each for this word list), shortest first. */
    private static final int[] WORDS = {1, 2, 4, 8, 16, 32, 64};

    private static final String[] WORD_LIST = ("the quick brown fox jumps over a lazy dog while seven wizards"
            + " quietly hex every jovial knight").split(" ");

    private LatencyByLength() {}

    /** The report's lines before the rows: what the table shows, this machine's read bandwidth, the header. */
    static String intro() {
        return String.format(Locale.ROOT, "Single query by length (the same sessions; one query of 1, 2, 4 ... 64 words"
                + " each, p50 after warm-up) and the line through the p50s: the fixed cost is what even the shortest"
                + " query pays (for an fp32 graph, about the time to read its matrix weights from memory once: one"
                + " core reads %.1f GB/s here), the slope what each token's products add:\n\n| model | intra-op"
                + " threads | p50 ms at tokens (prompt included) | fixed ms | ms per token | fit's largest miss |\n"
                + "|---|---|---|---|---|---|",
                oneCoreReadGigabytesPerSecond());
    }

    /** One markdown row: p50 of each length (after warm-up), and the least-squares line through them. */
    static String row(String model, Embedder embedder, int threads, boolean quick) {
        int warmUp = quick ? 30 : 100;
        int timed = quick ? 100 : 300;
        double[] tokens = new double[WORDS.length];
        double[] p50 = new double[WORDS.length];
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < WORDS.length; i++) {
            TextInput query = TextInput.query(words(WORDS[i]));
            tokens[i] = embedder.tokenize(query).length();
            for (int k = 0; k < warmUp; k++) {
                embedder.embed(query);
            }
            long[] nanos = new long[timed];
            for (int k = 0; k < timed; k++) {
                long start = System.nanoTime();
                embedder.embed(query);
                nanos[k] = System.nanoTime() - start;
            }
            Arrays.sort(nanos);
            p50[i] = nanos[timed / 2] / 1e6;
            points.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f at %.0f", p50[i], tokens[i]));
        }
        double[] line = leastSquares(tokens, p50);
        double worst = 0;
        for (int i = 0; i < tokens.length; i++) {
            worst = Math.max(worst, Math.abs(p50[i] - (line[0] + line[1] * tokens[i])));
        }
        return String.format(Locale.ROOT, "| %s | %d | %s | %.2f | %.3f | %.2f ms |", model, threads, points, line[0],
                line[1], worst);
    }

    /**
     * GB/s one thread reads from a 128 MB array (four times the L3 of the machines measured): a
     * fixed cost of F ms at B GB/s reads F x B MB, to compare with the graph's matrix weights.
     */
    private static double oneCoreReadGigabytesPerSecond() {
        int[] data = new int[32 << 20];
        Arrays.fill(data, 1);
        long best = Long.MAX_VALUE;
        long sink = 0;
        for (int round = 0; round < 12; round++) {
            long start = System.nanoTime();
            int sum = 0;
            for (int value : data) {
                sum += value;
            }
            best = Math.min(best, System.nanoTime() - start);
            sink += sum;
        }
        if (sink == 42) {
            System.out.print(""); // keeps the sums alive
        }
        return (double) data.length * Integer.BYTES / best;
    }

    private static String words(int n) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            text.append(i == 0 ? "" : " ").append(WORD_LIST[i % WORD_LIST.length]);
        }
        return text.toString();
    }

    /** {intercept, slope} of the least-squares line y = intercept + slope x. */
    private static double[] leastSquares(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        return new double[] {my - slope * mx, slope};
    }
}
