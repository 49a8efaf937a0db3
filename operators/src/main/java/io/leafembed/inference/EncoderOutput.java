package io.leafembed.inference;

import java.nio.FloatBuffer;

/**
 * What the ONNX graph returned for a batch, copied out of native memory: either token embeddings
 * ({@code [batch, seq, hidden]}, to be pooled) or finished sentence embeddings ({@code [batch,
 * hidden]}, when the export has a {@code sentence_embedding} output with pooling and Dense
 * inside the graph).
 */
public record EncoderOutput(FloatBuffer values, int batch, int seq, int hidden, boolean pooled) {

    /** Row {@code b} of a pooled output. */
    public float[] sentence(int b) {
        if (!pooled) {
            throw new IllegalStateException("the output holds token embeddings, not sentence embeddings");
        }
        float[] out = new float[hidden];
        values.get(b * hidden, out);
        return out;
    }
}
