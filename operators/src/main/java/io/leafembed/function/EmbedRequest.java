package io.leafembed.function;

/**
 * A text to embed as it travels through the job: its id, text, role (prompt name, or null for
 * the model's default) and the rest of the input record, kept as a JSON object string so the
 * output can carry it through (null for plain-text input).
 */
public record EmbedRequest(String id, String text, String role, String payload) {}
