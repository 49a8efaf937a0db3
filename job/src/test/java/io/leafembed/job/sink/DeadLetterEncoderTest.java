package io.leafembed.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.function.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A dead letter always fits the producer's limit, whatever the size of its record. */
class DeadLetterEncoderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long LIMIT = 1024 * 1024;

    @Test
    void aHugeOriginalIsCutToThePrefixLimit() throws Exception {
        byte[] original = ("{\"id\":\"k\",\"text\":\"" + "z".repeat(5 << 20)).getBytes(StandardCharsets.UTF_8);
        KafkaRecord r = new DeadLetterEncoder(64 * 1024, LIMIT).encode(
                new DeadLetter("k", "parse", "malformed JSON", original, "in-0@7"));
        assertThat(r.sizeInBytes()).isLessThan(70 * 1024);
        JsonNode d = MAPPER.readTree(r.value());
        assertThat(d.get("original").asText()).hasSize(64 * 1024);
        assertThat(d.get("original_size").asLong()).isEqualTo(original.length);
        assertThat(d.get("original_cut").asBoolean()).isTrue();
    }

    @Test
    void whatStillDoesNotFitLosesItsOriginalAndItsIdIsCut() throws Exception {
        String hugeId = "i".repeat(2 << 20);
        // a configured prefix near the limit of control characters (6 bytes each in JSON), and a 2 MiB id
        KafkaRecord r = new DeadLetterEncoder(1 << 20, LIMIT).encode(new DeadLetter(hugeId, "parse",
                "text is too long", "\u0001".repeat(1 << 20).getBytes(StandardCharsets.UTF_8), "in-0@8"));
        assertThat(r.sizeInBytes()).isLessThanOrEqualTo(LIMIT);
        assertThat(r.key()).hasSize(DeadLetterEncoder.MAX_ID_CHARS);
        JsonNode d = MAPPER.readTree(r.value());
        assertThat(d.get("id_cut").asBoolean()).isTrue();
        assertThat(d.has("original")).isTrue();
        assertThat(d.get("original").asText()).isEmpty();
        assertThat(d.get("original_cut").asBoolean()).isTrue();
        assertThat(d.get("original_size").asLong()).isEqualTo(1 << 20);
        assertThat(d.get("offset").asLong()).isEqualTo(8);
    }
}
