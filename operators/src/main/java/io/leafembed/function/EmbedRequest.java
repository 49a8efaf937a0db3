package io.leafembed.function;

/**
 * A text to embed as it travels through the job: its id, text, role (prompt name, or null for
 * the model's default), the input record as a JSON object string so the output can carry its
 * other fields (null for plain-text input), and where it came from ({@code topic-partition@offset},
 * {@code line N}; may be null) for dead letters.
 */
public record EmbedRequest(String id, String text, String role, String payload, String source) {

    /** A request without a known source. */
    public EmbedRequest(String id, String text, String role, String payload) {
        this(id, text, role, payload, null);
    }
}
