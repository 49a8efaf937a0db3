package io.leafembed.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.embed.Embedding;
import io.leafembed.postprocess.Quantization;
import io.leafembed.postprocess.QuantizationRanges;
import io.leafembed.postprocess.Quantizer;

/**
 * An embedded record: the request's id, role and pass-through payload, with the embedding
 * flattened into Flink-serializable fields (see {@link Embedding} for their meaning). {@code
 * codes} is null for float32; {@code quantization} is its id ({@code int8}, ...); {@code rangesId}
 * names the int8/uint8 ranges.
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
        int tokenCount,
        String rangesId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Joins a request with its embedding. A plain-text request (no payload) gets the payload
     * {@code {"id": ..., "text": ...}}, so every output record carries its id and text.
     */
    public static EmbedResult of(EmbedRequest request, Embedding e) {
        String payload = request.payload() != null ? request.payload()
                : JSON.createObjectNode().put("id", request.id()).put("text", request.text()).toString();
        return new EmbedResult(request.id(), e.role(), payload, e.vector(), e.codes(),
                e.quantization().id(), e.modelId(), e.dims(), e.normalized(), e.truncated(), e.tokenCount(),
                e.rangesId());
    }

    /** The embedding again, for callers that want the library type. */
    public Embedding embedding() {
        return new Embedding(vector, codes, Quantization.fromId(quantization), modelId, role, dims,
                normalized, truncated, tokenCount, rangesId);
    }

    /** This result quantized with {@code ranges} (for ranges known only after embedding). */
    public EmbedResult quantized(Quantization precision, QuantizationRanges ranges) {
        return new EmbedResult(id, role, payload, vector, Quantizer.quantize(vector, precision, ranges),
                precision.id(), modelId, dims, normalized, truncated, tokenCount,
                precision.isScalar() ? ranges.id() : null);
    }
}
