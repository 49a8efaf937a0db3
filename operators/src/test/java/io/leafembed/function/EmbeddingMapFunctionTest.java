package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class EmbeddingMapFunctionTest {

    @Test
    void embedsEachRecordAsTheLibraryDoes() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(
                new StreamMap<>(new EmbeddingMapFunction(TestModels.minilm().build())));
                Embedder reference = Embedder.open(TestModels.minilm().build())) {
            h.open();
            h.processElement(new EmbedRequest("a", "What is machine learning?", "query", null), 1);
            EmbedResult r = h.extractOutputValues().get(0);
            assertThat(r.id()).isEqualTo("a");
            assertThat(r.payload()).isEqualTo("{\"id\":\"a\",\"text\":\"What is machine learning?\"}");
            assertThat(Vectors.maxAbsDiff(r.vector(),
                    reference.embed(TextInput.query("What is machine learning?")).vector())).isLessThan(1e-6);
        }
    }
}
