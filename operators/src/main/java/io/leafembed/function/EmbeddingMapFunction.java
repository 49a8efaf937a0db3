package io.leafembed.function;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.TextInput;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * A per-record embedding function for users composing their own pipelines: one Embedder (one
 * ONNX Runtime session) per parallel instance, one model run per record. Simple, but without
 * batching it runs 2-3x slower than {@link EmbeddingOperator} on mixed-length text, and it throws
 * on texts the model refuses (filter them first with your own rules, or use the operator, which
 * routes them to a dead-letter output).
 */
public class EmbeddingMapFunction extends RichMapFunction<EmbedRequest, EmbedResult> {

    private static final long serialVersionUID = 1L;

    private final EmbedderOptions options;
    private transient Embedder embedder;

    public EmbeddingMapFunction(EmbedderOptions options) {
        this.options = options;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        embedder = Embedder.open(options);
    }

    @Override
    public EmbedResult map(EmbedRequest request) {
        return EmbedResult.of(request, embedder.embed(new TextInput(request.text(), request.role())));
    }

    @Override
    public void close() throws Exception {
        if (embedder != null) {
            embedder.close();
        }
    }
}
