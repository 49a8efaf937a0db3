package io.leafembed.function;

import io.leafembed.embed.Embedding;
import io.leafembed.postprocess.Quantization;

/**
 * An embedded record: the request's id, role and pass-through payload, with the embedding
 * flattened into Flink-serializable fields (see {@link Embedding} for their meaning). {@code
 * codes} is null for float32; {@code quantization} is its id ({@code int8}, ...).
 */
public record EmbedResult(
        String id,
        String role,
        String payload,
        float[] vector,
        byte[] codes,
        String quantization,
        String modelId,
        int dims,
        boolean normalized,
        boolean truncated,
        int tokenCount) {

    /** Joins a request with its embedding. */
    public static EmbedResult of(EmbedRequest request, Embedding e) {
        return new EmbedResult(request.id(), e.role(), request.payload(), e.vector(), e.codes(),
                e.quantization().id(), e.modelId(), e.dims(), e.normalized(), e.truncated(), e.tokenCount());
    }

    /** The embedding again, for callers that want the library type. */
    public Embedding embedding() {
        return new Embedding(vector, codes, Quantization.fromId(quantization), modelId, role, dims,
                normalized, truncated, tokenCount);
    }
}
