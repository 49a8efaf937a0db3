package io.leafembed.postprocess;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The output precisions of sentence-transformers' {@code quantize_embeddings}: one value per
 * dimension ({@code float32}, {@code int8}, {@code uint8}) or one bit per dimension packed eight
 * to a byte ({@code binary}, {@code ubinary}). See {@link Quantizer} for the formulas.
 */
public enum Quantization {
    /** The normalized float vector itself. */
    FLOAT32("float32"),
    /** One signed byte per dimension: {@code trunc((e - min) / step - 128)}. */
    INT8("int8"),
    /** One unsigned byte per dimension: {@code trunc((e - min) / step)}. */
    UINT8("uint8"),
    /** Sign bits packed most significant bit first, each byte minus 128 (signed). */
    BINARY("binary"),
    /** Sign bits packed most significant bit first (unsigned bytes). */
    UBINARY("ubinary");

    private final String id;

    Quantization(String id) {
        this.id = id;
    }

    /** The name used in options, metadata and sentence-transformers ({@code "int8"}...). */
    public String id() {
        return id;
    }

    /** Whether the codes are one byte per dimension (int8, uint8). */
    public boolean isScalar() {
        return this == INT8 || this == UINT8;
    }

    /** Whether the codes are packed sign bits (binary, ubinary). */
    public boolean isBinary() {
        return this == BINARY || this == UBINARY;
    }

    /** How many code bytes a vector of {@code dims} dimensions takes (4 per dim for float32). */
    public int byteLength(int dims) {
        switch (this) {
            case FLOAT32:
                return dims * Float.BYTES;
            case INT8:
            case UINT8:
                return dims;
            default:
                return (dims + 7) / 8;
        }
    }

    /**
     * Parses a precision name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the valid values when {@code name} is unknown
     */
    public static Quantization fromId(String name) {
        for (Quantization q : values()) {
            if (q.id.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return q;
            }
        }
        throw new IllegalArgumentException(
                "unknown quantization '" + name + "': use one of "
                        + Arrays.stream(values()).map(Quantization::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
