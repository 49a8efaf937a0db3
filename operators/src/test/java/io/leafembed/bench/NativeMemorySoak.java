package io.leafembed.bench;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.TextInput;
import io.leafembed.pooling.PoolingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Soak benchmark (not a test): embeds N texts in batches and prints the process's resident set
 * size every so often, to show that native memory (ONNX Runtime tensors and results, tokenizer
 * encodings) does not grow. Run from operators/ after {@code mvn test-compile}:
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.leafembed.bench.NativeMemorySoak \
 *     target/test-models/all-minilm-l6-v2-q/all-minilm-l6-v2-q.onnx \
 *     target/test-models/all-minilm-l6-v2/all-minilm-l6-v2-tokenizer.json 1000000
 * </pre>
 */
public final class NativeMemorySoak {

    private NativeMemorySoak() {}

    public static void main(String[] args) throws Exception {
        Path onnx = Path.of(args[0]);
        Path tokenizer = Path.of(args[1]);
        long total = Long.parseLong(args[2]);
        try (Embedder embedder = Embedder.open(EmbedderOptions.builder()
                .onnxFile(onnx).tokenizerFile(tokenizer).pooling(PoolingMode.MEAN).maxLength(256).build())) {
            long done = 0;
            long start = System.nanoTime();
            long nextReport = 0;
            while (done < total) {
                List<TextInput> batch = new ArrayList<>(256);
                for (int i = 0; i < 256; i++) {
                    long n = done + i;
                    batch.add(TextInput.document("record " + n + " about topic " + (n % 97)
                            + " with " + "some words ".repeat((int) (n % 13))));
                }
                embedder.embed(batch);
                done += batch.size();
                if (done >= nextReport) {
                    System.out.printf("%,d texts  %.0f texts/s  RSS %,d kB%n", done,
                            done / ((System.nanoTime() - start) / 1e9), rssKb());
                    nextReport += Math.max(total / 20, 1);
                }
            }
            System.out.printf("done: %,d texts, RSS %,d kB%n", done, rssKb());
        }
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
