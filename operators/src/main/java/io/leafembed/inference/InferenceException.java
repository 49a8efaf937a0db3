package io.leafembed.inference;

/**
 * ONNX Runtime failed while running a batch (not while loading: see ModelLoadException). Carries
 * the model id and the batch shape, which is usually what explains the failure.
 */
public class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String modelId;

    public InferenceException(String modelId, String message, Throwable cause) {
        super("inference with model '" + modelId + "' failed: " + message, cause);
        this.modelId = modelId;
    }

    public String modelId() {
        return modelId;
    }
}
