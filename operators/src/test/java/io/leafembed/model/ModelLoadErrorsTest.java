package io.leafembed.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.SafetensorsWriter;
import io.leafembed.testutils.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each broken model fails at load time with a message that names the file and the fix. */
class ModelLoadErrorsTest {

    @TempDir
    Path tmp;

    private Path model;

    @BeforeEach
    void copyLeafShaped() throws IOException {
        model = LeafShapedModel.copyTo(tmp.resolve("model"));
        // the fp32 graph without its external data file, for the missing-data case
        Files.copy(LeafShapedModel.directory().resolve("onnx/model.onnx"), model.resolve("onnx/model.onnx"));
    }

    private static EmbedderOptions.Builder options(Path dir) {
        return EmbedderOptions.builder().modelDir(dir).onnxVariant("int8");
    }

    @Test
    void missingDirectory() {
        assertThatThrownBy(() -> Embedder.open(options(tmp.resolve("nope")).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("download the model");
    }

    @Test
    void missingTokenizer() throws IOException {
        Files.delete(model.resolve("tokenizer.json"));
        assertThatThrownBy(() -> Embedder.open(options(model).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("missing " + model.resolve("tokenizer.json"))
                .hasMessageContaining("copy tokenizer.json");
    }

    @Test
    void noOnnxGraph() {
        assertThatThrownBy(() -> Embedder.open(options(model).onnxVariant("fp16").build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no ONNX graph 'model_fp16.onnx'")
                .hasMessageContaining("found: onnx/model.onnx, onnx/model_quantized.onnx");
    }

    @Test
    void externalDataMissing() {
        assertThat(model.resolve("onnx/model.onnx_data")).doesNotExist();
        assertThatThrownBy(() -> Embedder.open(options(model).onnxVariant(null).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("ONNX Runtime cannot load")
                .hasMessageContaining("model.onnx_data, that file must sit beside it");
    }

    @Test
    void denseThatDoesNotMatchTheHiddenSize() throws IOException {
        Files.writeString(model.resolve("2_Dense/config.json"),
                "{\"in_features\": 768, \"out_features\": 16, \"bias\": false,"
                        + " \"activation_function\": \"torch.nn.modules.linear.Identity\"}");
        new SafetensorsWriter().add("linear.weight", new long[] {16, 768}, new float[16 * 768])
                .write(model.resolve("2_Dense/model.safetensors"));
        assertThatThrownBy(() -> Embedder.open(options(model).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("Dense layer 1 expects 768 inputs but receives 384");
    }

    @Test
    void denseWeightsThatContradictTheirConfig() throws IOException {
        new SafetensorsWriter().add("linear.weight", new long[] {1024, 128}, new float[1024 * 128])
                .write(model.resolve("2_Dense/model.safetensors"));
        assertThatThrownBy(() -> Embedder.open(options(model).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("linear.weight has shape [1024, 128]")
                .hasMessageContaining("[1024, 384]");
    }

    @Test
    void truncationDimLargerThanTheModels() {
        assertThatThrownBy(() -> Embedder.open(options(model).truncateDim(2048).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("truncateDim 2048 is larger than the model's 1024 dims")
                .hasMessageContaining("[1, 1024]");
    }

    @Test
    void unknownPooling() throws IOException {
        Files.writeString(model.resolve("1_Pooling/config.json"),
                "{\"word_embedding_dimension\": 384, \"pooling_mode\": \"weightedmean\"}");
        assertThatThrownBy(() -> Embedder.open(options(model).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("1_Pooling/config.json: unknown pooling 'weightedmean'")
                .hasMessageContaining("mean, cls, max");
    }

    @Test
    void unsupportedActivation() throws IOException {
        Files.writeString(model.resolve("2_Dense/config.json"),
                "{\"in_features\": 384, \"out_features\": 1024, \"bias\": false,"
                        + " \"activation_function\": \"torch.nn.modules.activation.Softsign\"}");
        assertThatThrownBy(() -> Embedder.open(options(model).build()))
                .hasMessageContaining("unsupported Dense activation 'torch.nn.modules.activation.Softsign'");
    }

    @Test
    void barePairWithoutPooling() {
        assertThatThrownBy(() -> Embedder.open(TestModels.minilm().pooling(null).build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no pooling is known")
                .hasMessageContaining("set the pooling option");
    }

    @Test
    void maxLengthAboveThePositionEmbeddings() {
        assertThatThrownBy(() -> options(model).maxLength(1024).build())
                .hasMessage("maxLength must be in [3, 512] but was 1024");
    }

    @Test
    void cudaWhereThereIsNone() {
        assertThatThrownBy(() -> Embedder.open(options(model)
                        .session(new io.leafembed.inference.SessionSettings(1, 1,
                                io.leafembed.inference.GraphOptimization.ALL, true, 0))
                        .build()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("CUDA was requested")
                .hasMessageContaining("onnxruntime_gpu");
    }
}
