package io.leafembed.job.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedResult;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * base64 encoding {@code "vector"} is replaced by {@code "base64"}.
 *
 * <p>A dead letter is {@code {"id", "stage", "reason", "source", "topic", "partition", "offset",
 * "original_size", "original_cut", "original"}}: where it came from ({@code topic}, {@code
 * partition}, {@code offset} only for Kafka records, so the user can fetch the whole record),
 * the original's full size in bytes, whether it was cut, and at most {@code maxOriginalBytes} of
 * it, cut on a UTF-8 character boundary: as text in {@code "original"} when those bytes are
 * valid UTF-8, else base64 in {@code "original_base64"} (one representation, never both). So a
 * dead letter of a 5 MiB record stays near the 64 KiB default and fits a topic with Kafka's
 * default 1 MiB limits.
 */
public final class JsonRecords implements Serializable {

    private static final long serialVersionUID = 1L;
    /**
     * Writes floats with Jackson's Schubfach writer instead of {@code Float.toString}: the same
     * shortest digits that read back to the same float, and 384 of them per result were most of
     * what formatting a result cost (56 -> 40 us per record).
     */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    /** A Kafka source position as {@code KafkaRawRecordDeserializer} writes it: topic-partition@offset. */
    private static final Pattern KAFKA_POSITION = Pattern.compile("(.+)-(\\d+)@(\\d+)");

    private final OutputEncoding encoding;
    private final String embeddingField;
    private final int maxOriginalBytes;

    /** Dead letters keep at most {@link DeadLetter#DEFAULT_MAX_ORIGINAL_BYTES} of their original. */
    public JsonRecords(OutputEncoding encoding, String embeddingField) {
        this(encoding, embeddingField, DeadLetter.DEFAULT_MAX_ORIGINAL_BYTES);
    }

    /** @param maxOriginalBytes most bytes of its original a dead letter keeps */
    public JsonRecords(OutputEncoding encoding, String embeddingField, int maxOriginalBytes) {
        this.encoding = encoding;
        this.embeddingField = embeddingField;
        this.maxOriginalBytes = maxOriginalBytes;
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
        return write(record);
    }

    private static String write(ObjectNode record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings and numbers always writes
        }
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

    /** A dead letter as a JSON object, its original bounded to {@code maxOriginalBytes}. */
    public String deadLetter(DeadLetter d) {
        return deadLetter(d, maxOriginalBytes, Integer.MAX_VALUE);
    }

    /**
     * A dead letter with at most {@code maxOriginalBytes} of its original and {@code maxIdChars}
     * of its id ({@code "id_cut": true} when cut): the writer's last resort when even the bounded
     * form is too large for the topic.
     */
    public String deadLetter(DeadLetter d, int maxOriginalBytes, int maxIdChars) {
        ObjectNode record = JSON.createObjectNode();
        if (d.id() != null && d.id().length() > maxIdChars) {
            record.put("id", d.id().substring(0, maxIdChars)).put("id_cut", true);
        } else {
            record.put("id", d.id());
        }
        record.put("stage", d.stage()).put("reason", d.reason());
        if (d.source() != null) {
            record.put("source", d.source());
            Matcher kafka = KAFKA_POSITION.matcher(d.source());
            if (kafka.matches()) {
                record.put("topic", kafka.group(1))
                        .put("partition", Integer.parseInt(kafka.group(2)))
                        .put("offset", Long.parseLong(kafka.group(3)));
            }
        }
        byte[] kept = DeadLetter.utf8Prefix(d.original(), maxOriginalBytes);
        record.put("original_size", d.originalSize()).put("original_cut", kept.length < d.originalSize());
        try {
            record.put("original", StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(kept)).toString());
        } catch (CharacterCodingException e) {
            record.put("original_base64", Base64.getEncoder().encodeToString(kept));
        }
        return write(record);
    }
}
