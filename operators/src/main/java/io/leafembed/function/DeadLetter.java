package io.leafembed.function;

import java.nio.charset.StandardCharsets;

/**
 * A record the job could not embed, with the reason and (a prefix of) the original bytes, for the
 * dead-letter output. {@code stage} says where it was refused ({@code parse} for malformed input,
 * {@code embed} for texts the model rejects); {@code source} where it came from
 * (topic-partition@offset, file:line), when known.
 *
 * <p>{@code original} may be a prefix of the record: a dead letter must fit a Kafka topic with
 * default limits (1 MiB) even when the record that caused it is far larger, so whoever creates a
 * dead letter may keep only the first bytes ({@link #cut}); {@code originalSize} is always the
 * size of the whole original, so {@code original.length < originalSize} says it was cut.
 */
public record DeadLetter(String id, String stage, String reason, byte[] original, long originalSize, String source) {

    /** How much of an original a dead letter keeps unless configured otherwise (64 KiB). */
    public static final int DEFAULT_MAX_ORIGINAL_BYTES = 64 * 1024;

    /** A dead letter that keeps the whole original. */
    public DeadLetter(String id, String stage, String reason, byte[] original, String source) {
        this(id, stage, reason, original, original.length, source);
    }

    /** Whether {@link #original} is only a prefix of the record. */
    public boolean originalCut() {
        return original.length < originalSize;
    }

    /**
     * A dead letter for a request the embedding step refused; the original is the input record
     * (JSON input) or the text (plain-text input), as UTF-8, whole (the writer bounds it).
     */
    public static DeadLetter rejected(EmbedRequest request, String reason) {
        String original = request.payload() != null ? request.payload() : request.text();
        return new DeadLetter(request.id(), "embed", reason,
                original == null ? new byte[0] : original.getBytes(StandardCharsets.UTF_8), request.source());
    }

    /**
     * A dead letter keeping at most {@code maxOriginalBytes} of {@code original} ({@link
     * #utf8Prefix}), and the original's full size.
     */
    public static DeadLetter cut(String id, String stage, String reason, byte[] original, String source,
            int maxOriginalBytes) {
        return new DeadLetter(id, stage, reason, utf8Prefix(original, maxOriginalBytes), original.length, source);
    }

    /** This dead letter with at most {@code maxOriginalBytes} of its original. */
    public DeadLetter bounded(int maxOriginalBytes) {
        if (original.length <= maxOriginalBytes) {
            return this;
        }
        return new DeadLetter(id, stage, reason, utf8Prefix(original, maxOriginalBytes), originalSize, source);
    }

    /**
     * The first at most {@code maxBytes} bytes of {@code bytes}, cut before a UTF-8 continuation
     * byte so that a valid UTF-8 original stays valid UTF-8 (a prefix of text is still text).
     * Returns {@code bytes} itself when it is short enough.
     */
    public static byte[] utf8Prefix(byte[] bytes, int maxBytes) {
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = Math.max(0, maxBytes);
        // a sequence is at most 4 bytes: step back over at most 3 continuation bytes (10xxxxxx)
        int floor = Math.max(0, end - 3);
        while (end > floor && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return java.util.Arrays.copyOf(bytes, end);
    }
}
