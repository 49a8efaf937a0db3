package io.leafembed.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedResult;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JsonRecordsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static EmbedResult result(float[] vector, byte[] codes, String dtype) {
        return new EmbedResult("a", "query", "{\"id\":\"a\",\"text\":\"t\",\"keep\":1}", vector, codes, dtype,
                "m", vector.length, true, false, 5, dtype.endsWith("int8") ? "card" : null);
    }

    @Test
    void float32AsJsonArrayWithMetadataAndPassThroughFields() throws Exception {
        JsonNode out = MAPPER.readTree(new JsonRecords(OutputEncoding.JSON, "embedding")
                .result(result(new float[] {0.6f, -0.8f}, null, "float32")));
        assertThat(out.get("keep").asInt()).isEqualTo(1);
        JsonNode e = out.get("embedding");
        assertThat(e.get("vector").get(0).floatValue()).isEqualTo(0.6f);
        assertThat(e.get("vector").get(1).floatValue()).isEqualTo(-0.8f);
        assertThat(e.get("dtype").asText()).isEqualTo("float32");
        assertThat(e.get("tokens").asInt()).isEqualTo(5);
        assertThat(e.get("role").asText()).isEqualTo("query");
    }

    @Test
    void everyFloatReadsBackExactlyAndIsWrittenAsFloatToStringWrites() throws Exception {
        java.util.Random random = new java.util.Random(7);
        float[] vector = new float[4096];
        for (int i = 0; i < vector.length; i++) {
            // unit-vector coordinates, plus the extremes of the float range
            vector[i] = i < 4 ? new float[] {Float.MIN_VALUE, Float.MAX_VALUE, -0.0f, 1e-7f}[i]
                    : (float) (random.nextGaussian() / Math.sqrt(384));
        }
        JsonNode values = MAPPER.readTree(new JsonRecords(OutputEncoding.JSON, "embedding")
                .result(result(vector, null, "float32"))).get("embedding").get("vector");
        for (int i = 0; i < vector.length; i++) {
            assertThat(Float.parseFloat(values.get(i).asText())).as("value %d", i).isEqualTo(vector[i]);
            // the shortest digits: what the JDK's own formatting gives for these values
            assertThat(values.get(i).asText()).as("value %d", i).isEqualTo(Float.toString(vector[i]));
        }
    }

    @Test
    void codesKeepTheirSignedness() throws Exception {
        JsonRecords json = new JsonRecords(OutputEncoding.JSON, "emb");
        JsonNode u = MAPPER.readTree(json.result(result(new float[2], new byte[] {(byte) 200, 3}, "uint8")));
        assertThat(u.get("emb").get("vector").toString()).isEqualTo("[200,3]");
        JsonNode s = MAPPER.readTree(json.result(result(new float[2], new byte[] {(byte) 200, 3}, "int8")));
        assertThat(s.get("emb").get("vector").toString()).isEqualTo("[-56,3]");
        assertThat(s.get("emb").get("ranges").asText()).isEqualTo("card");
    }

    @Test
    void base64HoldsThePackedBytes() throws Exception {
        JsonRecords json = new JsonRecords(OutputEncoding.BASE64, "embedding");
        JsonNode f = MAPPER.readTree(json.result(result(new float[] {1.0f}, null, "float32")));
        assertThat(Base64.getDecoder().decode(f.get("embedding").get("base64").asText()))
                .containsExactly(0, 0, (byte) 0x80, 0x3f); // 1.0f little-endian
        JsonNode b = MAPPER.readTree(json.result(result(new float[9], new byte[] {(byte) 150, (byte) 128}, "ubinary")));
        assertThat(Base64.getDecoder().decode(b.get("embedding").get("base64").asText()))
                .containsExactly((byte) 150, (byte) 128);
    }

    @Test
    void deadLettersCarryReasonPositionAndOneRepresentationOfTheOriginal() throws Exception {
        JsonRecords json = new JsonRecords(OutputEncoding.JSON, "embedding");
        JsonNode valid = MAPPER.readTree(json.deadLetter(
                new DeadLetter("1", "parse", "empty text", "{\"text\":\"\"}".getBytes(), "in-put-3@42")));
        assertThat(valid.get("reason").asText()).isEqualTo("empty text");
        assertThat(valid.get("original").asText()).isEqualTo("{\"text\":\"\"}");
        assertThat(valid.has("original_base64")).isFalse();
        assertThat(valid.get("original_size").asLong()).isEqualTo(11);
        assertThat(valid.get("original_cut").asBoolean()).isFalse();
        assertThat(valid.get("source").asText()).isEqualTo("in-put-3@42");
        assertThat(valid.get("topic").asText()).isEqualTo("in-put");
        assertThat(valid.get("partition").asInt()).isEqualTo(3);
        assertThat(valid.get("offset").asLong()).isEqualTo(42);
        JsonNode invalid = MAPPER.readTree(json.deadLetter(
                new DeadLetter("2", "parse", "invalid UTF-8 at byte 0", new byte[] {(byte) 0xff}, "line 2")));
        assertThat(invalid.has("original")).isFalse();
        assertThat(invalid.get("original_base64").asText()).isEqualTo("/w==");
        assertThat(invalid.has("topic")).isFalse();
    }

    @Test
    void largeOriginalsAreCutOnACharacterBoundary() throws Exception {
        // "é" is 2 bytes: a 5-byte limit keeps 2 characters (4 bytes), not half of the third
        JsonRecords json = new JsonRecords(OutputEncoding.JSON, "embedding", 5);
        JsonNode d = MAPPER.readTree(json.deadLetter(new DeadLetter("1", "parse", "r", "ééééé".getBytes(), null)));
        assertThat(d.get("original").asText()).isEqualTo("éé");
        assertThat(d.get("original_size").asLong()).isEqualTo(10);
        assertThat(d.get("original_cut").asBoolean()).isTrue();
        // a 4-byte character (emoji) is never split either
        assertThat(DeadLetter.utf8Prefix("a\ud83d\ude00".getBytes(java.nio.charset.StandardCharsets.UTF_8), 4))
                .hasSize(1);
        // a dead letter already cut upstream keeps its full size
        DeadLetter upstream = DeadLetter.cut("1", "parse", "r", "x".repeat(1000).getBytes(), null, 100);
        JsonNode cut = MAPPER.readTree(new JsonRecords(OutputEncoding.JSON, "embedding").deadLetter(upstream));
        assertThat(cut.get("original").asText()).hasSize(100);
        assertThat(cut.get("original_size").asLong()).isEqualTo(1000);
        assertThat(cut.get("original_cut").asBoolean()).isTrue();
    }
}
