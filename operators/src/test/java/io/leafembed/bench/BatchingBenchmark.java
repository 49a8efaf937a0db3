package io.leafembed.bench;

import io.leafembed.batching.BatchListener;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.TextInput;
import io.leafembed.pooling.PoolingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput benchmark (not a test): batches of 32 texts in arrival order versus windows of 256
 * sorted by token length and cut into batches of 32, the way the Flink operator batches. Prints
 * texts/s and the padding ratio (computed token positions / real tokens) of each. Input: a TSV
 * with sentences in columns 2 and 3 (the STS-B file of ../shared/data/eval). Run from operators/:
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.leafembed.bench.BatchingBenchmark \
 *     stsb-test.tsv model.onnx tokenizer.json
 * </pre>
 */
public final class BatchingBenchmark {

    private BatchingBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<TextInput> texts = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t", -1);
            texts.add(TextInput.document(cols[1]));
            texts.add(TextInput.document(cols[2] + " " + cols[1])); // longer texts mixed in
        }
        EmbedderOptions options = EmbedderOptions.builder().onnxFile(Path.of(args[1]))
                .tokenizerFile(Path.of(args[2])).pooling(PoolingMode.MEAN).maxLength(256).build();
        try (Embedder embedder = Embedder.open(options)) {
            embedder.embed(texts.subList(0, 256)); // warm-up
            for (int round = 0; round < 2; round++) {
                run("arrival order, batches of 32", embedder, texts, 32);
                run("windows of 256 sorted by length, batches of 32", embedder, texts, 256);
            }
        }
    }

    /** Embeds {@code texts} in consecutive calls of {@code window} texts (each call sorts its window). */
    private static void run(String name, Embedder embedder, List<TextInput> texts, int window) {
        AtomicLong real = new AtomicLong();
        AtomicLong computed = new AtomicLong();
        BatchListener listener = (n, realTokens, computedTokens, nanos) -> {
            real.addAndGet(realTokens);
            computed.addAndGet(computedTokens);
        };
        long start = System.nanoTime();
        for (int i = 0; i < texts.size(); i += window) {
            embedder.embed(texts.subList(i, Math.min(texts.size(), i + window)), listener);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-48s %6.0f texts/s  padding ratio %.2f  (%d texts, %.1f s)%n", name,
                texts.size() / seconds, (double) computed.get() / real.get(), texts.size(), seconds);
    }
}
