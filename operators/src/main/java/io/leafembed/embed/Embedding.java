package io.leafembed.embed;

import io.leafembed.postprocess.Quantization;
import java.io.Serializable;
import java.util.Base64;

/**
 * One text's embedding and what a consumer needs to interpret it.
 *
 * <p>{@link #vector()} is always the float vector after normalization and Matryoshka truncation;
 * {@link #codes()} holds the quantized bytes when {@link #quantization()} is not float32 (int8
 * and binary as two's complement, uint8 and ubinary as unsigned values), else null.
 *
 * @param modelId the model that produced it
 * @param role the role (prompt) the text was embedded with, or null
 * @param dims the number of dimensions (after truncation; binary codes hold dims bits)
 * @param normalized whether the vector is L2-normalized
 * @param truncated whether the text was cut at the model's max length
 * @param tokenCount tokens fed to the model, special and prompt tokens included
 * @param rangesId for int8/uint8, the {@link io.leafembed.postprocess.QuantizationRanges#id()} of
 *     the ranges the codes were computed with (codes are comparable only under the same ranges);
 *     null otherwise
 */
public record Embedding(
        float[] vector,
        byte[] codes,
        Quantization quantization,
        String modelId,
        String role,
        int dims,
        boolean normalized,
        boolean truncated,
        int tokenCount,
        String rangesId)
        implements Serializable {

    /** The codes as integers: signed for int8/binary, unsigned for uint8/ubinary. */
    public int[] codesAsInts() {
        if (codes == null) {
            throw new IllegalStateException("a float32 embedding has no codes");
        }
        int[] out = new int[codes.length];
        boolean unsigned = quantization == Quantization.UINT8 || quantization == Quantization.UBINARY;
        for (int i = 0; i < codes.length; i++) {
            out[i] = unsigned ? Byte.toUnsignedInt(codes[i]) : codes[i];
        }
        return out;
    }

    /** The codes (or the float32 vector, little-endian) as base64: the compact wire form. */
    public String toBase64() {
        if (codes != null) {
            return Base64.getEncoder().encodeToString(codes);
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(vector.length * Float.BYTES)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(buf.array());
    }
}
