package io.leafembed.inference;

import static io.leafembed.inference.OnnxProto.FLOAT;
import static io.leafembed.inference.OnnxProto.concat;
import static io.leafembed.inference.OnnxProto.floatBytes;
import static io.leafembed.inference.OnnxProto.initializer;
import static io.leafembed.inference.OnnxProto.input;
import static io.leafembed.inference.OnnxProto.message;
import static io.leafembed.inference.OnnxProto.model;
import static io.leafembed.inference.OnnxProto.node;
import static io.leafembed.inference.OnnxProto.output;
import static io.leafembed.inference.OnnxProto.string;
import static io.leafembed.inference.OnnxProto.varint;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.testutils.TestModels;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer-norm rewrite of int8 graphs: what it finds in the real all-MiniLM-L6-v2 graphs, that
 * a rewritten graph computes what the original does (exactly, on a hand-written graph; and as
 * the original at {@code basic} does, through the embedder, on the int8 model, with its weights
 * inline and in an external data file), and that {@code auto} applies it only to quantized graphs.
 */
class LayerNormFusionGuardTest {

    private static final List<TextInput> TEXTS = List.of(
            TextInput.of("A short one."),
            TextInput.of("The quick brown fox jumps over the lazy dog, again and again, until the dog wakes up."),
            TextInput.of("Flink checkpoints the operator state."),
            TextInput.of("ok"));

    @Test
    void findsTheLayerNormSquaresOfBothMiniLmGraphsAndOnlyTheInt8OneIsQuantized() {
        assertThat(LayerNormFusionGuard.factsOf(TestModels.minilmInt8Onnx()))
                .isEqualTo(new LayerNormFusionGuard.GraphFacts(true, 13));
        assertThat(LayerNormFusionGuard.factsOf(TestModels.minilmOnnx()))
                .isEqualTo(new LayerNormFusionGuard.GraphFacts(false, 13));
    }

    @Test
    void aRewrittenGraphHasNoSquaresLeftAndIsStillQuantized(@TempDir Path dir) throws Exception {
        Path rewritten = dir.resolve("rewritten.onnx");
        Files.write(rewritten, LayerNormFusionGuard.read(TestModels.minilmInt8Onnx()).orElseThrow().withSquaresAsProducts());
        assertThat(LayerNormFusionGuard.factsOf(rewritten)).isEqualTo(new LayerNormFusionGuard.GraphFacts(true, 0));
        assertThat(Files.size(rewritten)).as("the 13 exponent constants are dropped")
                .isLessThan(Files.size(TestModels.minilmInt8Onnx()));
    }

    @Test
    void onlyConstantSquaresBecomeProductsAndTheResultIsExact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pow.onnx");
        byte[] scalarTwo = concat(varint(2, FLOAT), message(9, floatBytes(2f)));
        byte[] valueAttribute = concat(string(1, "value"), message(5, scalarTwo), varint(20, 4)); // type TENSOR
        byte[] graph = concat(
                node("Constant", new String[0], new String[] {"two"}, valueAttribute),
                node("Pow", new String[] {"x", "two"}, new String[] {"square"}),
                node("Pow", new String[] {"x", "three"}, new String[] {"cube"}),
                node("Pow", new String[] {"x", "x"}, new String[] {"self"}),
                node("DynamicQuantizeLinear", new String[] {"x"}, new String[] {"q", "scale", "zero"}),
                string(2, "pow"),
                initializer("three", FLOAT, new long[0], floatBytes(3f)),
                input("x", FLOAT, 4L),
                output("square", FLOAT, 4L),
                output("cube", FLOAT, 4L),
                output("self", FLOAT, 4L));
        Files.write(file, model("test", graph, 13));

        LayerNormFusionGuard guard = LayerNormFusionGuard.read(file).orElseThrow();
        assertThat(guard.facts()).isEqualTo(new LayerNormFusionGuard.GraphFacts(true, 1));
        Path rewritten = dir.resolve("rewritten.onnx");
        Files.write(rewritten, guard.withSquaresAsProducts());
        assertThat(LayerNormFusionGuard.factsOf(rewritten)).isEqualTo(new LayerNormFusionGuard.GraphFacts(true, 0));

        float[] x = {-1.5f, 0.1f, 3f, 7.25f};
        Map<String, float[]> got = run(rewritten, x);
        for (int i = 0; i < x.length; i++) {
            assertThat(got.get("square")[i]).isEqualTo(x[i] * x[i]);
            assertThat(got.get("cube")[i]).isCloseTo((float) Math.pow(x[i], 3), org.assertj.core.data.Offset.offset(1e-4f));
        }
        assertThat(got.get("self")[2]).isEqualTo(27f);
    }

    @Test
    void autoKeepsTheInt8LayerNormsDecomposedAndEmbedsAsBasicDoes() {
        try (Embedder auto = Embedder.open(TestModels.minilmInt8().build());
                Embedder basic = Embedder.open(TestModels.minilmInt8()
                        .session(new SessionSettings(1, 1, GraphOptimization.BASIC, false, 0)).build())) {
            assertThat(auto.sessionSummary())
                    .isEqualTo("1 run x 1 intra-op thread, CPU, graph optimization all (auto: int8 graph, layer norms kept decomposed)");
            assertThat(basic.sessionSummary()).isEqualTo("1 run x 1 intra-op thread, CPU, graph optimization basic");
            assertSameVectors(auto.embed(TEXTS), basic.embed(TEXTS));
        }
        try (Embedder fp32 = Embedder.open(TestModels.minilm().build())) {
            assertThat(fp32.sessionSummary()).isEqualTo("1 run x 1 intra-op thread, CPU, graph optimization basic (auto)");
        }
    }

    @Test
    void anInt8GraphWithExternalWeightsIsRewrittenAndFindsThem(@TempDir Path dir) throws Exception {
        Path external = dir.resolve("onnx/model_quantized.onnx");
        Files.createDirectories(external.getParent());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setOptimizedModelFilePath(external.toString());
            options.addConfigEntry("session.optimized_model_external_initializers_file_name", "model_quantized.onnx_data");
            options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            env.createSession(TestModels.minilmInt8Onnx().toString(), options).close();
        }
        assertThat(Files.size(dir.resolve("onnx/model_quantized.onnx_data"))).isGreaterThan(10_000_000L);
        assertThat(LayerNormFusionGuard.factsOf(external)).isEqualTo(new LayerNormFusionGuard.GraphFacts(true, 13));
        try (Embedder auto = Embedder.open(TestModels.minilmInt8().onnxFile(external).build());
                Embedder basic = Embedder.open(TestModels.minilmInt8()
                        .session(new SessionSettings(1, 1, GraphOptimization.BASIC, false, 0)).build())) {
            assertThat(auto.sessionSummary()).contains("layer norms kept decomposed");
            assertSameVectors(auto.embed(TEXTS), basic.embed(TEXTS));
        }
    }

    /** The int8 graph's vectors at {@code basic} and rewritten at {@code all} differed by 1e-6 at most. */
    private static void assertSameVectors(List<Embedding> got, List<Embedding> want) {
        for (int t = 0; t < want.size(); t++) {
            float[] g = got.get(t).vector();
            float[] w = want.get(t).vector();
            for (int d = 0; d < w.length; d++) {
                assertThat(g[d]).as("text %d dim %d", t, d).isCloseTo(w[d], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    private static Map<String, float[]> run(Path file, float[] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {4});
                OrtSession.Result result = session.run(Map.of("x", input))) {
            return Map.of(
                    "square", (float[]) result.get("square").orElseThrow().getValue(),
                    "cube", (float[]) result.get("cube").orElseThrow().getValue(),
                    "self", (float[]) result.get("self").orElseThrow().getValue());
        }
    }
}
