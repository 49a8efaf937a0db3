package io.leafembed.job.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedResult;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Writes results and dead letters as JSON objects (one per line or Kafka value).
 *
 * <p>A result is the input record (its JSON object, or {@code {"id", "text"}} for plain text)
 * plus one field, {@code embedding} by default:
 *
 * <pre>{@code
 * {"id": "1", "text": "...", "embedding": {"model": "all-minilm-l6-v2-q", "dims": 384,
 *   "dtype": "float32", "normalized": true, "truncated": false, "tokens": 7, "role": "document",
 *   "vector": [0.0123, ...]}}
 * }</pre>
 *
 * int8/uint8 embeddings also carry {@code "ranges"}: the id of the quantization ranges ({@code
 * card}, or a hash of calibrated ones); codes are comparable only under the same ranges. With the
 * base64 encoding {@code "vector"} is replaced by {@code "base64"}. A dead letter is
 * {@code {"id", "stage", "reason", "source", "original"}} with the original value as text when it
 * is valid UTF-8, plus {@code "original_base64"} always.
 */
public final class JsonRecords implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputEncoding encoding;
    private final String embeddingField;

    public JsonRecords(OutputEncoding encoding, String embeddingField) {
        this.encoding = encoding;
        this.embeddingField = embeddingField;
    }

    public String result(EmbedResult r) {
        ObjectNode record = payload(r);
        ObjectNode e = record.putObject(embeddingField);
        e.put("model", r.modelId())
                .put("dims", r.dims())
                .put("dtype", r.quantization())
                .put("normalized", r.normalized())
                .put("truncated", r.truncated())
                .put("tokens", r.tokenCount());
        if (r.role() != null) {
            e.put("role", r.role());
        }
        if (r.rangesId() != null) {
            e.put("ranges", r.rangesId());
        }
        if (encoding == OutputEncoding.BASE64) {
            e.put("base64", Base64.getEncoder().encodeToString(packed(r)));
        } else {
            ArrayNode values = e.putArray("vector");
            if (r.codes() == null) {
                for (float v : r.vector()) {
                    values.add(v);
                }
            } else {
                for (int code : r.embedding().codesAsInts()) {
                    values.add(code);
                }
            }
        }
        return record.toString();
    }

    private static ObjectNode payload(EmbedResult r) {
        if (r.payload() != null) {
            try {
                JsonNode node = JSON.readTree(r.payload());
                if (node instanceof ObjectNode) {
                    return (ObjectNode) node;
                }
            } catch (JsonProcessingException e) {
                // the parser only lets objects through; fall back to the id alone
            }
        }
        return JSON.createObjectNode().put("id", r.id());
    }

    /** The packed bytes: the codes, or the float32 vector little-endian. */
    public static byte[] packed(EmbedResult r) {
        if (r.codes() != null) {
            return r.codes();
        }
        ByteBuffer buf = ByteBuffer.allocate(r.vector().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(r.vector());
        return buf.array();
    }

    public String deadLetter(DeadLetter d) {
        ObjectNode record = JSON.createObjectNode();
        record.put("id", d.id()).put("stage", d.stage()).put("reason", d.reason());
        if (d.source() != null) {
            record.put("source", d.source());
        }
        try {
            record.put("original", StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(d.original())).toString());
        } catch (CharacterCodingException e) {
            record.putNull("original");
        }
        record.put("original_base64", Base64.getEncoder().encodeToString(d.original()));
        return record.toString();
    }
}
