package io.leafembed.inference;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The few pieces of ONNX's protobuf format needed to write a small graph by hand (nodes, one-int
 * attributes, initializers, typed inputs and outputs, the model around them), so that a graph
 * can be built in memory and handed to ONNX Runtime without the onnx or protobuf libraries. Each
 * method returns the encoded field, ready to be concatenated into its parent message.
 */
public final class OnnxProto {

    /** ONNX's TensorProto.DataType for float32. */
    public static final int FLOAT = 1;
    /** ONNX's TensorProto.DataType for int64. */
    public static final int INT64 = 7;

    private OnnxProto() {}

    /** A ModelProto holding {@code graph} (the GraphProto's fields) at IR version 8, opset {@code opset}. */
    public static byte[] model(String producer, byte[] graph, int opset) {
        return concat(
                varint(1, 8), // ir_version
                string(2, producer),
                message(7, graph),
                message(8, concat(string(1, ""), varint(2, opset))));
    }

    /** A graph's node field: {@code op} from {@code inputs} to {@code outputs}, with encoded attributes. */
    public static byte[] node(String op, String[] inputs, String[] outputs, byte[]... attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String in : inputs) {
            out.writeBytes(string(1, in));
        }
        for (String o : outputs) {
            out.writeBytes(string(2, o));
        }
        out.writeBytes(string(4, op));
        for (byte[] attribute : attributes) {
            out.writeBytes(message(5, attribute));
        }
        return message(1, out.toByteArray());
    }

    /** An integer attribute of a node. */
    public static byte[] intAttribute(String name, long value) {
        return concat(string(1, name), varint(3, value), varint(20, 2)); // type INT
    }

    /** A graph's initializer field: a constant tensor of {@code dataType} with little-endian {@code raw} data. */
    public static byte[] initializer(String name, int dataType, long[] dims, byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long d : dims) {
            out.writeBytes(varint(1, d));
        }
        out.writeBytes(varint(2, dataType));
        out.writeBytes(string(8, name));
        out.writeBytes(bytes(9, raw));
        return message(5, out.toByteArray());
    }

    /** A graph's input field: a tensor of {@code elemType} whose dims are fixed sizes (Long) or symbolic names (String). */
    public static byte[] input(String name, int elemType, Object... dims) {
        return message(11, valueInfo(name, elemType, dims));
    }

    /** A graph's output field, dims as for {@link #input}. */
    public static byte[] output(String name, int elemType, Object... dims) {
        return message(12, valueInfo(name, elemType, dims));
    }

    private static byte[] valueInfo(String name, int elemType, Object... dims) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (Object d : dims) {
            shape.writeBytes(message(1, d instanceof String symbol ? string(2, symbol) : varint(1, ((Number) d).longValue())));
        }
        byte[] tensorType = concat(varint(1, elemType), message(2, shape.toByteArray()));
        return concat(string(1, name), message(2, message(1, tensorType)));
    }

    /** {@code values} as little-endian bytes, as raw tensor data. */
    public static byte[] floatBytes(float... values) {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    /** {@code values} as little-endian bytes, as raw tensor data. */
    public static byte[] longBytes(long... values) {
        ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        return buf.array();
    }

    /** A varint field. */
    public static byte[] varint(int field, long value) {
        return concat(rawVarint((long) field << 3), rawVarint(value));
    }

    /** A string field. */
    public static byte[] string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** An embedded message field. */
    public static byte[] message(int field, byte[] body) {
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

    /** The parts one after the other. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
