package io.leafembed.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The committed reference files that integration-tests/reference/ regenerates offline:
 * transformers.js embeddings of all-MiniLM-L6-v2 on sentence-transformers' token ids, and
 * numpy's quantize_embeddings codes of those embeddings.
 */
public final class ReferenceData {

    /** One reference text. */
    public record Text(
            int id, String category, String text, long[] stIds, long[] jsIds, String quirk,
            boolean truncated, int fullTokenCount, float[] embedding, float[] embeddingQ8) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceData() {}

    public static JsonNode json(String resource) {
        try (InputStream in = ReferenceData.class.getResourceAsStream("/reference/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /reference/" + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The transformers.js reference for all-MiniLM-L6-v2 (fp32 and q8). */
    public static List<Text> minilmTexts() {
        List<Text> texts = new ArrayList<>();
        for (JsonNode t : json("all-minilm-l6-v2.json").get("texts")) {
            texts.add(new Text(t.get("id").asInt(), t.get("category").asText(), t.get("text").asText(),
                    longs(t.get("stIds")), longs(t.get("jsIds")),
                    t.get("quirk").isNull() ? null : t.get("quirk").asText(),
                    t.get("truncated").asBoolean(), t.get("fullTokenCount").asInt(),
                    floats(t.get("embedding").asText()), floats(t.get("embeddingQ8").asText())));
        }
        return texts;
    }

    public static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    /** A JSON array of numbers as floats. */
    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** A JSON array of integers. */
    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** Base64 of little-endian float32 values. */
    public static float[] floats(String base64) {
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(out);
        return out;
    }

    public static byte[] bytes(String base64) {
        return Base64.getDecoder().decode(base64);
    }
}
