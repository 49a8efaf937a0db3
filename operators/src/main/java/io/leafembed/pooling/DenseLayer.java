package io.leafembed.pooling;

import java.io.Serializable;

/**
 * A sentence-transformers Dense module: {@code y = activation(W x + b)} with {@code W} of shape
 * {@code [out, in]} (torch's {@code nn.Linear} layout) and an optional bias. mdbr-leaf-mt
 * projects its 384-d mean-pooled vector to 1024 dims with one bias-free, Identity Dense layer.
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

    /** Projects {@code x} ({@code in} values) to a new array of {@code out} values. */
    public float[] apply(float[] x) {
        if (x.length != in) {
            throw new IllegalArgumentException("Dense layer expects " + in + " inputs, got " + x.length);
        }
        float[] y = new float[out];
        for (int o = 0; o < out; o++) {
            int row = o * in;
            double sum = bias == null ? 0 : bias[o];
            for (int i = 0; i < in; i++) {
                sum += (double) weight[row + i] * x[i];
            }
            y[o] = activation.apply((float) sum);
        }
        return y;
    }
}
