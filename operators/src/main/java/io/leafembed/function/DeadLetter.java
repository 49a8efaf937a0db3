package io.leafembed.function;

import java.nio.charset.StandardCharsets;

/**
 * A record the job could not embed, with the reason and the original bytes, for the dead-letter
 * output. {@code stage} says where it was refused ({@code parse} for malformed input, {@code
 * embed} for texts the model rejects); {@code source} where it came from (topic-partition@offset,
 * file:line), when known.
 */
public record DeadLetter(String id, String stage, String reason, byte[] original, String source) {

    /**
     * A dead letter for a request the embedding step refused; the original is the input record
     * (JSON input) or the text (plain-text input), as UTF-8.
     */
    public static DeadLetter rejected(EmbedRequest request, String reason) {
        String original = request.payload() != null ? request.payload() : request.text();
        return new DeadLetter(request.id(), "embed", reason,
                original == null ? new byte[0] : original.getBytes(StandardCharsets.UTF_8), request.source());
    }
}
