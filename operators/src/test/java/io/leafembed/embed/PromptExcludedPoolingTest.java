package io.leafembed.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.inference.EncoderOutput;
import io.leafembed.inference.OnnxEncoder;
import io.leafembed.inference.SessionSettings;
import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.Vectors;
import io.leafembed.tokenize.TokenBatch;
import io.leafembed.tokenize.TokenizedText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pooling with {@code include_prompt: false}: sentence-transformers sets {@code
 * attention_mask[:, :prompt_length] = 0} before mean pooling, where {@code prompt_length} is the
 * prompt's token count with [CLS] (without [SEP]). Checked against that rule computed by hand
 * from the encoder's token embeddings.
 */
class PromptExcludedPoolingTest {

    @TempDir
    Path tmp;

    @Test
    void queryPromptTokensAreLeftOutOfTheMean() throws IOException {
        Path source = LeafShapedModel.directory();
        Path dir = LeafShapedModel.copyTo(tmp.resolve("leaf-no-prompt"));
        Files.writeString(dir.resolve("1_Pooling/config.json"),
                "{\"word_embedding_dimension\": 384, \"pooling_mode_mean_tokens\": true, \"include_prompt\": false}");
        String text = "How does neural network training work?";
        try (Embedder embedder = Embedder.open(EmbedderOptions.builder().modelDir(dir).onnxVariant("int8").build());
                OnnxEncoder encoder = new OnnxEncoder("hand", dir.resolve("onnx/model_quantized.onnx"),
                        SessionSettings.defaults())) {
            TokenizedText tokens = embedder.tokenize(TextInput.query(text));
            int promptLength = embedder.tokenize(TextInput.document(LeafShapedModel.QUERY_PROMPT.trim())).length() - 1;
            EncoderOutput out = encoder.encode(new TokenBatch(List.of(tokens), 0));
            double[] mean = new double[384];
            for (int t = promptLength; t < tokens.length(); t++) {
                for (int h = 0; h < 384; h++) {
                    mean[h] += out.values().get(t * 384 + h);
                }
            }
            float[] weight = LeafShapedModel.orthonormalWeight();
            float[] expected = new float[1024];
            for (int o = 0; o < 1024; o++) {
                double sum = 0;
                for (int h = 0; h < 384; h++) {
                    sum += weight[o * 384 + h] * mean[h] / (tokens.length() - promptLength);
                }
                expected[o] = (float) sum;
            }
            Embedding actual = embedder.embed(TextInput.query(text));
            assertThat(promptLength).isGreaterThan(5);
            assertThat(Vectors.cosine(actual.vector(), expected)).isGreaterThan(0.999999);
            // and it differs from pooling with the prompt included
            try (Embedder withPrompt = Embedder.open(EmbedderOptions.builder().modelDir(source).onnxVariant("int8").build())) {
                assertThat(Vectors.cosine(actual.vector(), withPrompt.embed(TextInput.query(text)).vector()))
                        .isLessThan(0.999);
            }
        }
    }
}
