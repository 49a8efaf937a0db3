package io.leafembed.pooling;

import static io.leafembed.inference.OnnxProto.FLOAT;
import static io.leafembed.inference.OnnxProto.concat;
import static io.leafembed.inference.OnnxProto.floatBytes;
import static io.leafembed.inference.OnnxProto.initializer;
import static io.leafembed.inference.OnnxProto.input;
import static io.leafembed.inference.OnnxProto.intAttribute;
import static io.leafembed.inference.OnnxProto.model;
import static io.leafembed.inference.OnnxProto.node;
import static io.leafembed.inference.OnnxProto.output;
import static io.leafembed.inference.OnnxProto.string;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.leafembed.inference.InferenceException;
import io.leafembed.model.ModelLoadException;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A {@link DenseLayer} whose matrix product runs in ONNX Runtime: a one-node graph ({@code Gemm},
 * {@code x W^T + b}) built in memory from the layer's weights, on a session of its own with one
 * intra-op thread, so each caller's thread runs its own batch (several may at once).
 *
 * <p>Why not Java: the JIT does not vectorize the product, and mdbr-leaf-mt's 1024 x 384 layer
 * then took about 0.17 ms per vector, 3.6% of the leaf-shaped model's CPU (benchmark
 * {@code --profile}); ONNX Runtime's SIMD GEMM does a batch of 32 in a fraction of that. The sums
 * are float32, as in torch's {@code nn.Linear}; they stay within 1e-5 of {@link DenseLayer}'s
 * double sums on unit-scale inputs ({@code OnnxDenseLayerTest}). The activation is applied in
 * Java.
 */
public final class OnnxDenseLayer implements AutoCloseable {

    private static final String X = "x";

    private final String modelId;
    private final DenseLayer layer;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /** @throws ModelLoadException if ONNX Runtime refuses the graph (it should not) */
    public OnnxDenseLayer(String modelId, DenseLayer layer) {
        this.modelId = modelId;
        this.layer = layer;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            this.session = env.createSession(graph(layer), options);
        } catch (OrtException e) {
            throw new ModelLoadException(modelId, "ONNX Runtime cannot run the Dense layer ("
                    + layer.inFeatures() + " -> " + layer.outFeatures() + "): " + e.getMessage(), e);
        }
    }

    /** {@code y = x W^T (+ b)} for a batch of {@code x}; the activation is not in the graph. */
    private static byte[] graph(DenseLayer layer) {
        long in = layer.inFeatures();
        long out = layer.outFeatures();
        boolean bias = layer.bias() != null;
        byte[] graph = concat(
                node("Gemm", bias ? new String[] {X, "weight", "bias"} : new String[] {X, "weight"},
                        new String[] {"y"}, intAttribute("transB", 1)),
                string(2, "dense"),
                initializer("weight", FLOAT, new long[] {out, in}, floatBytes(layer.weight())),
                bias ? initializer("bias", FLOAT, new long[] {out}, floatBytes(layer.bias())) : new byte[0],
                input(X, FLOAT, "batch", in),
                output("y", FLOAT, "batch", out));
        return model("leaf-embed", graph, 13);
    }

    /** Projects every vector of {@code xs} ({@code in} values each); row {@code b} of the result is row {@code b}'s. */
    public float[][] applyAll(float[][] xs) {
        int in = layer.inFeatures();
        float[] flat = new float[xs.length * in];
        for (int b = 0; b < xs.length; b++) {
            if (xs[b].length != in) {
                throw new IllegalArgumentException("Dense layer expects " + in + " inputs, got " + xs[b].length);
            }
            System.arraycopy(xs[b], 0, flat, b * in, in);
        }
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), new long[] {xs.length, in});
                OrtSession.Result result = session.run(Map.of(X, x))) {
            float[][] ys = (float[][]) result.get(0).getValue();
            Activation activation = layer.activation();
            if (activation != Activation.IDENTITY) {
                for (float[] y : ys) {
                    for (int o = 0; o < y.length; o++) {
                        y[o] = activation.apply(y[o]);
                    }
                }
            }
            return ys;
        } catch (OrtException e) {
            throw new InferenceException(modelId, "Dense layer on " + xs.length + " vectors: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException(modelId, "closing the Dense layer's session: " + e.getMessage(), e);
        }
    }
}
