package io.leafembed.model;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.pooling.PoolingMode;

/**
 * The model used when none is configured: the bare int8 all-MiniLM-L6-v2 pair that the job jar
 * carries on its classpath (see {@link ClasspathModel}). The job and the Flink SQL functions pick
 * it the same way, through {@link #select}.
 */
public final class BundledModel {

    /** The resource name of the bundled pair: {@code <NAME>.onnx} and {@code <NAME>-tokenizer.json}. */
    public static final String NAME = "all-minilm-l6-v2-q";

    /** all-MiniLM-L6-v2's sentence-transformers max_seq_length (a bare pair does not say it). */
    public static final int MAX_LENGTH = 256;

    private BundledModel() {}

    /** Points {@code builder} at the bundled model, with the pooling and max length a bare pair lacks. */
    public static EmbedderOptions.Builder select(EmbedderOptions.Builder builder) {
        return builder.bundledModel(NAME).pooling(PoolingMode.MEAN).maxLength(MAX_LENGTH);
    }
}
