package io.leafembed.bench;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.inference.GraphOptimization;
import io.leafembed.inference.SessionSettings;
import io.leafembed.pooling.PoolingMode;
import java.nio.file.Path;

/**
 * A model every contender runs from the same files: a bare all-MiniLM-L6-v2 graph (fp32 or int8,
 * from the langchain4j model jars on Maven Central) or the leaf-shaped directory (mdbr-leaf-mt's
 * structure: the same encoder plus a 1024x384 Dense, see LeafShapedModel).
 *
 * @param onnx the encoder graph (the leaf-shaped one keeps its weights in {@code model.onnx_data})
 * @param modelDir the sentence-transformers directory, or null for a bare pair
 * @param dtype transformers.js's name for the graph ({@code fp32} or {@code q8})
 */
record BenchModel(String name, Path onnx, Path tokenizer, Path modelDir, String dtype) {

    /** Every text in the corpus is at most this long, so no contender truncates. */
    static final int MAX_LENGTH = 256;

    boolean hasDense() {
        return modelDir != null;
    }

    /**
     * The library's options for throughput: {@code cores} model runs at once of one intra-op
     * thread each (on 2 cores 13-25% faster than one run of two threads), batches as the defaults.
     */
    EmbedderOptions.Builder options(int cores) {
        return options(1, cores);
    }

    /**
     * The library's options: {@code runs} model runs at once of {@code threads} intra-op threads
     * each, at the library's default graph optimization ({@code auto}).
     */
    EmbedderOptions.Builder options(int threads, int runs) {
        SessionSettings session = new SessionSettings(threads, 1, GraphOptimization.AUTO, false, 0, runs);
        EmbedderOptions.Builder b = modelDir != null
                ? EmbedderOptions.builder().modelDir(modelDir).onnxVariant(dtype.equals("q8") ? "int8" : null)
                : EmbedderOptions.builder().onnxFile(onnx).tokenizerFile(tokenizer).pooling(PoolingMode.MEAN);
        return b.maxLength(MAX_LENGTH).session(session);
    }
}
