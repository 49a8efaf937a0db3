package io.leafembed.testutils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny ONNX graph, protobuf by hand, that looks like an export with pooling inside:
 * inputs {@code input_ids} and {@code attention_mask} (int64 [batch, seq]), one output {@code
 * sentence_embedding} (float [batch, 4]) = (number of real tokens) x [1, 2, 3, 4]. Normalized,
 * every text's embedding is therefore [1, 2, 3, 4] / sqrt(30): known math for the code path that
 * uses a graph's own sentence embedding.
 */
public final class TinyOnnxGraph {

    private TinyOnnxGraph() {}

    public static void write(Path file) throws IOException {
        byte[] graph = concat(
                node("Cast", new String[] {"attention_mask"}, new String[] {"mask_f"}, intAttribute("to", 1)),
                node("ReduceSum", new String[] {"mask_f", "axes"}, new String[] {"count"}, intAttribute("keepdims", 1)),
                node("Mul", new String[] {"count", "weights"}, new String[] {"sentence_embedding"}, new byte[0]),
                string(2, "tiny"),
                message(5, tensor("axes", 7, new long[] {1}, longBytes(1))),
                message(5, tensor("weights", 1, new long[] {1, 4}, floatBytes(1, 2, 3, 4))),
                message(11, valueInfo("input_ids", 7, null, "batch", "seq")),
                message(11, valueInfo("attention_mask", 7, null, "batch", "seq")),
                message(12, valueInfo("sentence_embedding", 1, 4L, "batch", null)));
        byte[] model = concat(
                varint(1, 8), // ir_version
                string(2, "leaf-embed tests"),
                message(7, graph),
                message(8, concat(string(1, ""), varint(2, 13)))); // opset 13
        Files.write(file, model);
    }

    private static byte[] node(String op, String[] inputs, String[] outputs, byte[] attribute) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String in : inputs) {
            out.writeBytes(string(1, in));
        }
        for (String o : outputs) {
            out.writeBytes(string(2, o));
        }
        out.writeBytes(string(4, op));
        if (attribute.length > 0) {
            out.writeBytes(message(5, attribute));
        }
        return message(1, out.toByteArray());
    }

    private static byte[] intAttribute(String name, long value) {
        return concat(string(1, name), varint(3, value), varint(20, 2)); // type INT
    }

    private static byte[] tensor(String name, int dataType, long[] dims, byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long d : dims) {
            out.writeBytes(varint(1, d));
        }
        out.writeBytes(varint(2, dataType));
        out.writeBytes(string(8, name));
        out.writeBytes(bytes(9, raw));
        return out.toByteArray();
    }

    /** A tensor value: {@code dims} are symbolic names, or a fixed last dim. */
    private static byte[] valueInfo(String name, int elemType, Long fixedLast, String first, String second) {
        byte[] shape = concat(message(1, string(2, first)),
                fixedLast != null ? message(1, varint(1, fixedLast)) : message(1, string(2, second)));
        byte[] tensorType = concat(varint(1, elemType), message(2, shape));
        return concat(string(1, name), message(2, message(1, tensorType)));
    }

    private static byte[] longBytes(long... values) {
        ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        return buf.array();
    }

    private static byte[] floatBytes(float... values) {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    private static byte[] varint(int field, long value) {
        return concat(rawVarint((long) field << 3), rawVarint(value));
    }

    private static byte[] string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] message(int field, byte[] body) {
        return bytes(field, body);
    }

    private static byte[] bytes(int field, byte[] value) {
        return concat(rawVarint(((long) field << 3) | 2), rawVarint(value.length), value);
    }

    private static byte[] rawVarint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
