package io.leafembed.inference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an encoder graph before its session opens: whether it is dynamically quantized (int8
 * {@code MatMulInteger}), and, for such a graph, a copy in memory with each layer norm's {@code
 * Pow(x, 2)} written as {@code Mul(x, x)}, which keeps ONNX Runtime's {@code LayerNormFusion}
 * from replacing the layer norms with its fused kernel while every other fusion of {@code all}
 * still applies.
 *
 * <p>Why: ONNX Runtime 1.28's CPU {@code LayerNormalization} kernel took about 2 us per 384-wide
 * row, 2.6 times the decomposed operators it replaces (its profiler, all-MiniLM-L6-v2 int8,
 * batches of 16: 1,052 ms fused against 399 ms decomposed over the same runs; fp32 alike). At
 * {@code all} that ate what the int8 fusions ({@code MatMulIntegerToFloat}, {@code
 * DynamicQuantizeMatMul}) gain, so {@code basic} won. The fusion matches only a {@code Pow} whose
 * exponent is 2, and the Java API cannot switch off single optimizers ({@code
 * optimization.disable_specified_optimizers} did not stop it in 1.28). With the square as a
 * product, {@code all} embedded 18% more int8 texts per second than {@code basic} in two one-thread
 * runs at once, 22% more in one run of two threads (17% more than {@code all} on the graph as it
 * comes) and 10% more one text at a time (scratch A/B, README "Speed"); for fp32 graphs it
 * made no difference, so they are left alone (and opened by path, without a copy in memory). The
 * product is exact: ONNX Runtime computes {@code Pow(x, 2)} as {@code x * x}, and the vectors at
 * {@code basic} stay the same to the bit.
 *
 * <p>The file is memory-mapped and only its node list is parsed (weights are skipped, not
 * copied), so the check costs milliseconds even for a 90 MB graph. Anything it does not recognize
 * leaves the graph as it is: ONNX Runtime then reports real problems itself.
 */
public final class LayerNormFusionGuard {

    /** What the graph holds. {@code squares} counts the {@code Pow(x, 2)} nodes a rewrite would change. */
    public record GraphFacts(boolean quantized, int squares) {
        static final GraphFacts UNKNOWN = new GraphFacts(false, 0);
    }

    // ONNX protobuf field numbers
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int NODE_DOMAIN = 7;
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_FLOAT = 2;
    private static final int ATTRIBUTE_TENSOR = 5;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_INT32_DATA = 5;
    private static final int TENSOR_INT64_DATA = 7;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_DOUBLE_DATA = 10;
    private static final int VALUE_INFO_NAME = 1;

    private final Path file;
    private final ByteBuffer model;
    private final Field graph;
    private final List<Node> nodes;
    /** Initializer field by name, for initializers that hold one number. */
    private final Map<String, Field> scalarInitializers;
    /** Names of the graph's inputs and outputs, which must keep their producers. */
    private final Set<String> graphInterface;
    /** The Pow nodes a rewrite changes, found once. */
    private final List<Node> squares;
    private final GraphFacts facts;

    private LayerNormFusionGuard(Path file, ByteBuffer model, Field graph, List<Node> nodes,
            Map<String, Field> scalarInitializers, Set<String> graphInterface) {
        this.file = file;
        this.model = model;
        this.graph = graph;
        this.nodes = nodes;
        this.scalarInitializers = scalarInitializers;
        this.graphInterface = graphInterface;
        boolean quantized = nodes.stream().anyMatch(n -> n.op.equals("MatMulInteger") || n.op.equals("DynamicQuantizeLinear"));
        this.squares = findSquares();
        this.facts = new GraphFacts(quantized, squares.size());
    }

    /**
     * Reads {@code onnxFile}'s node list; empty when the file is not a graph this class can read
     * (then nothing is rewritten and ONNX Runtime opens the file as it is).
     */
    public static Optional<LayerNormFusionGuard> read(Path onnxFile) {
        try (FileChannel channel = FileChannel.open(onnxFile, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE || size == 0) {
                return Optional.empty();
            }
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return parse(onnxFile, mapped);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not ours to report: ONNX Runtime says what is wrong with the file
        }
    }

    /** {@link #read}, or facts that change nothing when the file cannot be read. */
    public static GraphFacts factsOf(Path onnxFile) {
        return read(onnxFile).map(LayerNormFusionGuard::facts).orElse(GraphFacts.UNKNOWN);
    }

    /** Whether the graph is quantized and how many squares a rewrite would change. */
    public GraphFacts facts() {
        return facts;
    }

    /** The folder ONNX Runtime must read external weights from when the graph comes from memory. */
    public Path folder() {
        return file.toAbsolutePath().getParent();
    }

    /**
     * The whole model with each {@code Pow(x, c)}, {@code c} a constant 2, written as {@code Mul(x,
     * x)}, and each exponent constant no other node reads removed (ONNX Runtime warns about unused
     * initializers). Weights are copied as they are, including references to external data.
     */
    public byte[] withSquaresAsProducts() {
        Map<Integer, byte[]> replaced = new HashMap<>(); // graph field start -> new field, or empty to drop
        Set<String> readByOthers = new HashSet<>(graphInterface);
        for (Node node : nodes) {
            if (!squares.contains(node)) {
                readByOthers.addAll(node.inputs);
            } else {
                readByOthers.add(node.inputs.get(0));
            }
        }
        for (Node pow : squares) {
            replaced.put(pow.field.start, squareAsProduct(pow));
            String exponent = pow.inputs.get(1);
            if (!readByOthers.contains(exponent)) {
                Field initializer = scalarInitializers.get(exponent);
                if (initializer != null) {
                    replaced.put(initializer.start, new byte[0]);
                } else {
                    nodes.stream().filter(n -> n.op.equals("Constant") && n.outputs.contains(exponent))
                            .findFirst().ifPresent(n -> replaced.put(n.field.start, new byte[0]));
                }
            }
        }
        long graphLength = 0;
        ProtoReader fields = new ProtoReader(model, graph.valueStart, graph.end);
        while (fields.hasMore()) {
            Field f = fields.next();
            byte[] replacement = replaced.get(f.start);
            graphLength += replacement != null ? replacement.length : f.end - f.start;
        }
        byte[] graphHeader = header(MODEL_GRAPH, graphLength);
        long total = (model.limit() - (graph.end - graph.start)) + graphHeader.length + graphLength;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(file + ": rewritten graph would exceed 2 GB");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        out.put(model.duplicate().position(0).limit(graph.start));
        out.put(graphHeader);
        fields = new ProtoReader(model, graph.valueStart, graph.end);
        while (fields.hasMore()) {
            Field f = fields.next();
            byte[] replacement = replaced.get(f.start);
            if (replacement != null) {
                out.put(replacement);
            } else {
                out.put(model.duplicate().position(f.start).limit(f.end));
            }
        }
        out.put(model.duplicate().position(graph.end).limit(model.limit()));
        return out.array();
    }

    /** Pow nodes of the default domain whose exponent is a constant 2. */
    private List<Node> findSquares() {
        Map<String, Node> constants = new HashMap<>();
        for (Node node : nodes) {
            if (node.op.equals("Constant") && node.outputs.size() == 1) {
                constants.put(node.outputs.get(0), node);
            }
        }
        List<Node> squares = new ArrayList<>();
        for (Node node : nodes) {
            if (node.op.equals("Pow") && node.defaultDomain && node.inputs.size() == 2
                    && isTwo(node.inputs.get(1), constants)) {
                squares.add(node);
            }
        }
        return squares;
    }

    private boolean isTwo(String name, Map<String, Node> constants) {
        Field initializer = scalarInitializers.get(name);
        if (initializer != null) {
            return tensorIsTwo(initializer.valueStart, initializer.end);
        }
        Node constant = constants.get(name);
        if (constant == null) {
            return false;
        }
        ProtoReader fields = new ProtoReader(model, constant.field.valueStart, constant.field.end);
        while (fields.hasMore()) {
            Field f = fields.next();
            if (f.number != NODE_ATTRIBUTE) {
                continue;
            }
            ProtoReader attribute = new ProtoReader(model, f.valueStart, f.end);
            String attributeName = null;
            Field value = null;
            while (attribute.hasMore()) {
                Field a = attribute.next();
                if (a.number == ATTRIBUTE_NAME) {
                    attributeName = a.string(model);
                } else if (a.number == ATTRIBUTE_FLOAT || a.number == ATTRIBUTE_TENSOR) {
                    value = a;
                }
            }
            if ("value_float".equals(attributeName) && value != null && value.number == ATTRIBUTE_FLOAT) {
                return model.duplicate().order(ByteOrder.LITTLE_ENDIAN).getFloat(value.valueStart) == 2.0f;
            }
            if ("value".equals(attributeName) && value != null && value.number == ATTRIBUTE_TENSOR) {
                return tensorIsTwo(value.valueStart, value.end);
            }
        }
        return false;
    }

    /** Whether the TensorProto between {@code from} and {@code to} holds the single number 2. */
    private boolean tensorIsTwo(int from, int to) {
        int dataType = 0;
        long elements = 1;
        Field data = null;
        ProtoReader fields = new ProtoReader(model, from, to);
        while (fields.hasMore()) {
            Field f = fields.next();
            switch (f.number) {
                case TENSOR_DATA_TYPE -> dataType = (int) f.varint;
                case TENSOR_DIMS -> elements *= f.wireType == 0 ? f.varint : 2; // packed dims: not a scalar
                case TENSOR_RAW_DATA, TENSOR_FLOAT_DATA, TENSOR_DOUBLE_DATA, TENSOR_INT32_DATA, TENSOR_INT64_DATA ->
                        data = f;
                default -> { }
            }
        }
        if (elements != 1 || data == null) {
            return false; // also external data (no raw_data here)
        }
        ByteBuffer le = model.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        boolean raw = data.number == TENSOR_RAW_DATA;
        switch (dataType) {
            case 1: // FLOAT
                if (raw || (data.number == TENSOR_FLOAT_DATA && data.wireType == 2)) {
                    return data.end - data.valueStart == 4 && le.getFloat(data.valueStart) == 2.0f;
                }
                return data.number == TENSOR_FLOAT_DATA && le.getFloat(data.valueStart) == 2.0f;
            case 11: // DOUBLE
                if (raw || (data.number == TENSOR_DOUBLE_DATA && data.wireType == 2)) {
                    return data.end - data.valueStart == 8 && le.getDouble(data.valueStart) == 2.0;
                }
                return data.number == TENSOR_DOUBLE_DATA && le.getDouble(data.valueStart) == 2.0;
            case 6: // INT32
                if (raw) {
                    return data.end - data.valueStart == 4 && le.getInt(data.valueStart) == 2;
                }
                return data.number == TENSOR_INT32_DATA && firstVarint(data) == 2;
            case 7: // INT64
                if (raw) {
                    return data.end - data.valueStart == 8 && le.getLong(data.valueStart) == 2;
                }
                return data.number == TENSOR_INT64_DATA && firstVarint(data) == 2;
            default:
                return false;
        }
    }

    private long firstVarint(Field data) {
        if (data.wireType == 0) {
            return data.varint;
        }
        ProtoReader packed = new ProtoReader(model, data.valueStart, data.end);
        long value = packed.varint();
        return packed.hasMore() ? -1 : value; // more than one element: not a scalar
    }

    /** The node field of {@code pow} as {@code Mul(x, x)}: same outputs, name and other fields. */
    private byte[] squareAsProduct(Node pow) {
        List<byte[]> parts = new ArrayList<>();
        byte[] x = pow.inputs.get(0).getBytes(StandardCharsets.UTF_8);
        parts.add(header(NODE_INPUT, x.length));
        parts.add(x);
        parts.add(header(NODE_INPUT, x.length));
        parts.add(x);
        ProtoReader fields = new ProtoReader(model, pow.field.valueStart, pow.field.end);
        while (fields.hasMore()) {
            Field f = fields.next();
            if (f.number != NODE_INPUT && f.number != NODE_OP_TYPE) {
                byte[] copy = new byte[f.end - f.start];
                model.duplicate().position(f.start).get(copy);
                parts.add(copy);
            }
        }
        byte[] mul = "Mul".getBytes(StandardCharsets.UTF_8);
        parts.add(header(NODE_OP_TYPE, mul.length));
        parts.add(mul);
        int length = parts.stream().mapToInt(p -> p.length).sum();
        ByteBuffer node = ByteBuffer.allocate(header(GRAPH_NODE, length).length + length);
        node.put(header(GRAPH_NODE, length));
        parts.forEach(node::put);
        return node.array();
    }

    private static Optional<LayerNormFusionGuard> parse(Path file, ByteBuffer model) {
        Field graph = null;
        ProtoReader top = new ProtoReader(model, 0, model.limit());
        while (top.hasMore()) {
            Field f = top.next();
            if (f.number == MODEL_GRAPH) {
                if (graph != null || f.wireType != 2) {
                    return Optional.empty(); // a graph in pieces: leave it to ONNX Runtime
                }
                graph = f;
            }
        }
        if (graph == null) {
            return Optional.empty();
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, Field> scalars = new HashMap<>();
        Set<String> inputs = new HashSet<>();
        ProtoReader fields = new ProtoReader(model, graph.valueStart, graph.end);
        while (fields.hasMore()) {
            Field f = fields.next();
            if (f.number == GRAPH_NODE && f.wireType == 2) {
                nodes.add(Node.read(model, f));
            } else if (f.number == GRAPH_INITIALIZER && f.wireType == 2 && f.end - f.valueStart < 256) {
                String name = fieldString(model, f, TENSOR_NAME);
                if (name != null) {
                    scalars.put(name, f);
                }
            } else if ((f.number == GRAPH_INPUT || f.number == GRAPH_OUTPUT) && f.wireType == 2) {
                String name = fieldString(model, f, VALUE_INFO_NAME);
                if (name != null) {
                    inputs.add(name);
                }
            }
        }
        return Optional.of(new LayerNormFusionGuard(file, model, graph, nodes, scalars, inputs));
    }

    private static String fieldString(ByteBuffer model, Field message, int number) {
        ProtoReader fields = new ProtoReader(model, message.valueStart, message.end);
        while (fields.hasMore()) {
            Field f = fields.next();
            if (f.number == number && f.wireType == 2) {
                return f.string(model);
            }
        }
        return null;
    }

    private static byte[] header(int field, long length) {
        ByteBuffer out = ByteBuffer.allocate(20);
        putVarint(out, ((long) field << 3) | 2);
        putVarint(out, length);
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private static void putVarint(ByteBuffer out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /** One graph node: where it sits and the parts the check needs. */
    private record Node(Field field, String op, boolean defaultDomain, List<String> inputs, List<String> outputs) {
        static Node read(ByteBuffer model, Field field) {
            String op = "";
            String domain = "";
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            ProtoReader fields = new ProtoReader(model, field.valueStart, field.end);
            while (fields.hasMore()) {
                Field f = fields.next();
                if (f.wireType != 2) {
                    continue;
                }
                switch (f.number) {
                    case NODE_INPUT -> inputs.add(f.string(model));
                    case NODE_OUTPUT -> outputs.add(f.string(model));
                    case NODE_OP_TYPE -> op = f.string(model);
                    case NODE_DOMAIN -> domain = f.string(model);
                    default -> { }
                }
            }
            return new Node(field, op, domain.isEmpty() || domain.equals("ai.onnx"), inputs, outputs);
        }
    }

    /** A protobuf field: its number and wire type, where it starts, where its value starts and ends. */
    private record Field(int number, int wireType, int start, int valueStart, int end, long varint) {
        String string(ByteBuffer model) {
            byte[] bytes = new byte[end - valueStart];
            model.duplicate().position(valueStart).get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Walks the fields of one protobuf message between two offsets, skipping their values. */
    private static final class ProtoReader {
        private final ByteBuffer buf;
        private final int end;
        private int pos;

        ProtoReader(ByteBuffer buf, int start, int end) {
            this.buf = buf;
            this.pos = start;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        Field next() {
            int start = pos;
            long key = varint();
            int number = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            switch (wireType) {
                case 0: {
                    int valueStart = pos;
                    long value = varint();
                    return new Field(number, wireType, start, valueStart, pos, value);
                }
                case 1:
                    return skip(number, wireType, start, 8);
                case 5:
                    return skip(number, wireType, start, 4);
                case 2: {
                    long length = varint();
                    if (length < 0 || length > end - pos) {
                        throw new IllegalArgumentException("field " + number + " runs past its message");
                    }
                    return skip(number, wireType, start, (int) length);
                }
                default:
                    throw new IllegalArgumentException("unsupported protobuf wire type " + wireType);
            }
        }

        private Field skip(int number, int wireType, int start, int length) {
            int valueStart = pos;
            if (length > end - pos) {
                throw new IllegalArgumentException("field " + number + " runs past its message");
            }
            pos += length;
            return new Field(number, wireType, start, valueStart, pos, 0);
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("truncated varint");
                }
                byte b = buf.get(pos++);
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }
    }
}
