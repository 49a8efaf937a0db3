package io.leafembed.pooling;

import java.io.Serializable;

/**
 * A sentence-transformers Dense module: {@code y = activation(W x + b)} with {@code W} of shape
 * {@code [out, in]} (torch's {@code nn.Linear} layout) and an optional bias. mdbr-leaf-mt
 * projects its 384-d mean-pooled vector to 1024 dims with one bias-free, Identity Dense layer.
 *
 * <p>This class holds the weights and computes in plain Java with double sums: the reference
 * that {@link OnnxDenseLayer}, which the Embedder runs, is checked against.
 */
public final class DenseLayer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int in;
    private final int out;
    private final float[] weight;
    private final float[] bias;
    private final Activation activation;

    /**
     * @param weight row-major {@code [out, in]}
     * @param bias {@code out} values, or null for none
     */
    public DenseLayer(int in, int out, float[] weight, float[] bias, Activation activation) {
        if (in < 1 || out < 1 || weight.length != (long) in * out) {
            throw new IllegalArgumentException("Dense weight has " + weight.length
                    + " values but in_features x out_features is " + in + " x " + out);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("Dense bias has " + bias.length
                    + " values but out_features is " + out);
        }
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
        this.activation = activation;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    /** The weights, row-major {@code [out, in]} (shared, not copied: do not change them). */
    float[] weight() {
        return weight;
    }

    /** The bias ({@code out} values), or null (shared, not copied). */
    float[] bias() {
        return bias;
    }

    public Activation activation() {
        return activation;
    }

    /** Projects {@code x} ({@code in} values) to a new array of {@code out} values. */
    public float[] apply(float[] x) {
        return applyAll(new float[][] {x})[0];
    }

    /**
     * Projects every vector of {@code xs} ({@code in} values each); row {@code b} of the result
     * is {@code apply(xs[b])}. A batch goes weight row by weight row, so each row is read from
     * memory once per batch rather than once per vector: mdbr-leaf-mt's 1024 x 384 weights (1.5
     * MB) do not stay in a core's L2 cache. Sums are in double precision, in four interleaved
     * partial sums that the CPU can add in parallel (one running sum waits on every addition).
     */
    public float[][] applyAll(float[][] xs) {
        for (float[] x : xs) {
            if (x.length != in) {
                throw new IllegalArgumentException("Dense layer expects " + in + " inputs, got " + x.length);
            }
        }
        float[][] ys = new float[xs.length][out];
        for (int o = 0; o < out; o++) {
            int row = o * in;
            double start = bias == null ? 0 : bias[o];
            for (int b = 0; b < xs.length; b++) {
                float[] x = xs[b];
                double s0 = start;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int i = 0;
                for (; i + 3 < in; i += 4) {
                    s0 += (double) weight[row + i] * x[i];
                    s1 += (double) weight[row + i + 1] * x[i + 1];
                    s2 += (double) weight[row + i + 2] * x[i + 2];
                    s3 += (double) weight[row + i + 3] * x[i + 3];
                }
                for (; i < in; i++) {
                    s0 += (double) weight[row + i] * x[i];
                }
                ys[b][o] = activation.apply((float) ((s0 + s1) + (s2 + s3)));
            }
        }
        return ys;
    }
}
