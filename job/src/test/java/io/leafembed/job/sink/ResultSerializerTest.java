package io.leafembed.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.function.EmbedResult;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ResultSerializerTest {

    private static final EmbedResult INT8 = new EmbedResult("id-1", "query", "{\"id\":\"id-1\",\"text\":\"t\"}",
            new float[] {0.6f, -0.8f}, new byte[] {76, -103}, "int8", "m", 2, true, true, 9, "card");

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void rawValuesAreThePackedBytesWithMetadataInHeaders() {
        ProducerRecord<byte[], byte[]> r = new ResultSerializer("out", "raw", "embedding").serialize(INT8, null, 42L);
        assertThat(r.topic()).isEqualTo("out");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("id-1");
        assertThat(r.value()).containsExactly(76, -103);
        assertThat(r.timestamp()).isEqualTo(42L);
        assertThat(header(r, "leafembed.dtype")).isEqualTo("int8");
        assertThat(header(r, "leafembed.dims")).isEqualTo("2");
        assertThat(header(r, "leafembed.truncated")).isEqualTo("true");
        assertThat(header(r, "leafembed.tokens")).isEqualTo("9");
        assertThat(header(r, "leafembed.ranges")).isEqualTo("card");
        assertThat(header(r, "leafembed.model")).isEqualTo("m");
    }

    @Test
    void jsonValuesAreTheEnrichedRecord() {
        ProducerRecord<byte[], byte[]> r = new ResultSerializer("out", "json", "vec").serialize(INT8, null, null);
        assertThat(new String(r.value(), StandardCharsets.UTF_8))
                .startsWith("{\"id\":\"id-1\",\"text\":\"t\",\"vec\":{")
                .contains("\"vector\":[76,-103]");
        assertThat(r.headers().toArray()).isEmpty();
    }
}
