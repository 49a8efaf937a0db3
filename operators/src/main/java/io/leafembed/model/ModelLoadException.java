package io.leafembed.model;

/**
 * A model directory or file could not be loaded: a file is missing, malformed or inconsistent
 * with the rest of the model. The message names the file and says how to fix it; {@link
 * #modelId()} says which model it was.
 */
public class ModelLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String modelId;

    public ModelLoadException(String modelId, String message) {
        super("cannot load model '" + modelId + "': " + message);
        this.modelId = modelId;
    }

    public ModelLoadException(String modelId, String message, Throwable cause) {
        super("cannot load model '" + modelId + "': " + message, cause);
        this.modelId = modelId;
    }

    public String modelId() {
        return modelId;
    }
}
