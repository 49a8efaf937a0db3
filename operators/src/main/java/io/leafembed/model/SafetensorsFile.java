package io.leafembed.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads tensors from a {@code .safetensors} file: an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to its dtype, shape and byte offsets, then the raw
 * little-endian data. Only what a Dense layer needs is supported: F32, F64, F16 and BF16 tensors,
 * widened to float.
 */
public final class SafetensorsFile {

    /** A tensor as a flat row-major float array and its shape. */
    public record Tensor(String name, long[] shape, float[] values) {}

    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path file;
    private final JsonNode header;
    private final long dataStart;

    private SafetensorsFile(Path file, JsonNode header, long dataStart) {
        this.file = file;
        this.header = header;
        this.dataStart = dataStart;
    }

    /** Opens {@code file} and parses its header; tensor data is read on {@link #read}. */
    public static SafetensorsFile open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerBytes = len.getLong(0);
            if (headerBytes <= 0 || headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > ch.size()) {
                throw new IOException(file + " is not a safetensors file (header length " + headerBytes + ")");
            }
            ByteBuffer json = ByteBuffer.allocate((int) headerBytes);
            readFully(ch, json, 8);
            JsonNode header = new ObjectMapper().readTree(json.array());
            if (header == null || !header.isObject()) {
                throw new IOException(file + " has no JSON object header");
            }
            return new SafetensorsFile(file, header, 8 + headerBytes);
        }
    }

    /** The tensor names in the file (without {@code __metadata__}). */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            String name = field.getKey();
            if (!name.equals("__metadata__")) {
                names.add(name);
            }
        }
        return names;
    }

    public boolean contains(String name) {
        return header.has(name) && !name.equals("__metadata__");
    }

    /** Reads one tensor, widened to float. */
    public Tensor read(String name) throws IOException {
        JsonNode entry = header.get(name);
        if (entry == null || name.equals("__metadata__")) {
            throw new IOException(file + " has no tensor '" + name + "' (it has " + names() + ")");
        }
        String dtype = entry.path("dtype").asText();
        JsonNode shapeNode = entry.path("shape");
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            count *= shape[i];
        }
        long begin = entry.path("data_offsets").path(0).asLong(-1);
        long end = entry.path("data_offsets").path(1).asLong(-1);
        int width = byteWidth(dtype, name);
        if (begin < 0 || end - begin != count * width || count > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor '" + name + "' has offsets [" + begin + ", " + end
                    + "] that do not match its shape and dtype " + dtype);
        }
        ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            readFully(ch, data, dataStart + begin);
        }
        data.flip();
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case "F32":
                    values[i] = data.getFloat();
                    break;
                case "F64":
                    values[i] = (float) data.getDouble();
                    break;
                case "F16":
                    values[i] = halfToFloat(data.getShort());
                    break;
                default: // BF16: the high half of a float32
                    values[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
            }
        }
        return new Tensor(name, shape, values);
    }

    private int byteWidth(String dtype, String name) throws IOException {
        switch (dtype) {
            case "F32":
                return 4;
            case "F64":
                return 8;
            case "F16":
            case "BF16":
                return 2;
            default:
                throw new IOException(file + ": tensor '" + name + "' has dtype " + dtype
                        + "; only F32, F64, F16 and BF16 are supported");
        }
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }
}
