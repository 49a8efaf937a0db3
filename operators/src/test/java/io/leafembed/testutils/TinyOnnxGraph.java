package io.leafembed.testutils;

import static io.leafembed.inference.OnnxProto.FLOAT;
import static io.leafembed.inference.OnnxProto.INT64;
import static io.leafembed.inference.OnnxProto.concat;
import static io.leafembed.inference.OnnxProto.floatBytes;
import static io.leafembed.inference.OnnxProto.initializer;
import static io.leafembed.inference.OnnxProto.input;
import static io.leafembed.inference.OnnxProto.intAttribute;
import static io.leafembed.inference.OnnxProto.longBytes;
import static io.leafembed.inference.OnnxProto.model;
import static io.leafembed.inference.OnnxProto.node;
import static io.leafembed.inference.OnnxProto.output;
import static io.leafembed.inference.OnnxProto.string;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny ONNX graph, protobuf by hand ({@link io.leafembed.inference.OnnxProto}), that looks like an export with pooling inside:
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
                node("Mul", new String[] {"count", "weights"}, new String[] {"sentence_embedding"}),
                string(2, "tiny"),
                initializer("axes", INT64, new long[] {1}, longBytes(1)),
                initializer("weights", FLOAT, new long[] {1, 4}, floatBytes(1, 2, 3, 4)),
                input("input_ids", INT64, "batch", "seq"),
                input("attention_mask", INT64, "batch", "seq"),
                output("sentence_embedding", FLOAT, "batch", 4L));
        Files.write(file, model("leaf-embed tests", graph, 13));
    }
}
