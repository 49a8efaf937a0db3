package io.leafembed.pooling;

import java.util.Locale;

/**
 * The activation after a sentence-transformers Dense layer ({@code activation_function} in
 * {@code 2_Dense/config.json}, a torch class name). mdbr-leaf-mt uses Identity; the
 * sentence-transformers default is Tanh.
 */
public enum Activation {
    IDENTITY,
    TANH,
    RELU,
    SIGMOID;

    /** Applies the activation to one value. */
    public float apply(float x) {
        switch (this) {
            case TANH:
                return (float) Math.tanh(x);
            case RELU:
                return Math.max(0f, x);
            case SIGMOID:
                return (float) (1.0 / (1.0 + Math.exp(-x)));
            default:
                return x;
        }
    }

    /**
     * Maps a torch class name such as {@code torch.nn.modules.linear.Identity} or
     * {@code torch.nn.modules.activation.Tanh} (or a bare name) to an activation.
     *
     * @throws IllegalArgumentException for activations this library does not implement
     */
    public static Activation fromTorchName(String name) {
        String simple = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        switch (simple) {
            case "identity":
            case "":
                return IDENTITY;
            case "tanh":
                return TANH;
            case "relu":
                return RELU;
            case "sigmoid":
                return SIGMOID;
            default:
                throw new IllegalArgumentException("unsupported Dense activation '" + name
                        + "': supported are Identity, Tanh, ReLU and Sigmoid");
        }
    }
}
