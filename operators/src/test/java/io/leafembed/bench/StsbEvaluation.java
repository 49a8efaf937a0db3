package io.leafembed.bench;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.pooling.PoolingMode;
import io.leafembed.testutils.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Quality benchmark (not a test: the data is not in the repository): the STS Benchmark test
 * split scored as MTEB does, Spearman(gold, cosine(embed(s1), embed(s2))) x 100, so the Java
 * pipeline can be compared with published scores (all-MiniLM-L6-v2: 82.03). Also prints
 * throughput. It embeds as the library does by default (one-thread runs, one per core, graph level
 * {@code auto}); {@code -Dgraph.optimization=all} (or basic, extended, none) pins the level. Run
 * from operators/ after {@code mvn test-compile}:
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.leafembed.bench.StsbEvaluation \
 *     ../../shared/data/eval/stsb-test.tsv model.onnx tokenizer.json [model-dir-instead-of-pair]
 * </pre>
 */
public final class StsbEvaluation {

    private StsbEvaluation() {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        List<Double> gold = new ArrayList<>();
        List<TextInput> texts = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t", -1);
            gold.add(Double.parseDouble(cols[0]));
            texts.add(TextInput.document(cols[1]));
            texts.add(TextInput.document(cols[2]));
        }
        EmbedderOptions.Builder options = args.length > 3
                ? EmbedderOptions.builder().modelDir(Path.of(args[3]))
                : EmbedderOptions.builder().onnxFile(Path.of(args[1])).tokenizerFile(Path.of(args[2]))
                        .pooling(PoolingMode.MEAN).maxLength(256);
        // the library's default: one-thread runs on every core, at -Dgraph.optimization (default auto)
        options.session(new io.leafembed.inference.SessionSettings(1, 1,
                io.leafembed.inference.GraphOptimization.fromId(System.getProperty("graph.optimization", "auto")),
                false, 0, Runtime.getRuntime().availableProcessors()));
        try (Embedder embedder = Embedder.open(options.build())) {
            embedder.embed(texts.subList(0, 64)); // warm-up
            long start = System.nanoTime();
            List<Embedding> out = embedder.embed(texts);
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] predicted = new double[gold.size()];
            for (int i = 0; i < predicted.length; i++) {
                predicted[i] = Vectors.cosine(out.get(2 * i).vector(), out.get(2 * i + 1).vector());
            }
            double spearman = pearson(ranks(gold.stream().mapToDouble(Double::doubleValue).toArray()), ranks(predicted));
            System.out.printf("%s: STS-B test cosine Spearman %.4f over %d pairs; %d texts in %.1f s (%.0f texts/s)%n",
                    embedder.modelId(), 100 * spearman, predicted.length, texts.size(), seconds, texts.size() / seconds);
        }
    }

    /** Average ranks (ties share their mean rank), as scipy.stats.spearmanr. */
    private static double[] ranks(double[] values) {
        Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    private static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
