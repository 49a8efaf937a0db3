package io.leafembed.job.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leafembed.function.DeadLetter;
import io.leafembed.function.EmbedRequest;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns raw input records into embedding requests, and everything it cannot read into dead
 * letters with a reason: missing value, invalid UTF-8, malformed JSON, a JSON value that is not
 * an object, missing, non-string or empty text, a non-string role, text over the byte limit. The
 * role itself is checked by the embedding operator, which knows the model's prompts.
 *
 * <p>Text records: the whole value is the text, the key (line number, Kafka key) the id. JSON
 * records: id, text and role come from configurable fields; the whole object passes through to
 * the output. A record without an id gets its key, else its source position.
 */
public class RecordParser extends ProcessFunction<RawRecord, EmbedRequest> {

    private static final long serialVersionUID = 1L;

    /** Records that could not be parsed. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("parse-dead-letters") {};

    private static final ObjectMapper JSON = new ObjectMapper();
    // {"text":"a"}{"text":"b"} on one line must not lose "b" silently
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT_READER =
            JSON.readerFor(JsonNode.class).with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What the parser needs from the configuration. */
    public record Settings(
            RecordFormat format, String idField, String textField, String roleField, String defaultRole,
            int maxTextBytes) implements Serializable {}

    private final Settings settings;

    public RecordParser(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<EmbedRequest> out) {
        try {
            out.collect(parse(record));
        } catch (Rejected rejected) {
            byte[] original = record.value() == null ? new byte[0] : record.value();
            ctx.output(DEAD_LETTERS, new DeadLetter(rejected.id, "parse", rejected.getMessage(), original,
                    record.source()));
        }
    }

    /** Parses one record; throws Rejected with the reason. */
    EmbedRequest parse(RawRecord record) throws Rejected {
        String fallbackId = record.key() != null ? record.key() : record.source();
        if (record.problem() != null) {
            throw new Rejected(fallbackId, record.problem());
        }
        if (record.value() == null) {
            throw new Rejected(fallbackId, "record has no value (a tombstone?)");
        }
        String value = decodeUtf8(record.value(), fallbackId);
        if (settings.format() == RecordFormat.TEXT) {
            checkText(value, fallbackId);
            return new EmbedRequest(fallbackId, value, settings.defaultRole(), null, record.source());
        }
        JsonNode node;
        try {
            node = value.isBlank() ? null : STRICT_READER.readValue(value);
        } catch (JsonProcessingException e) {
            throw new Rejected(fallbackId, "malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new Rejected(fallbackId, "empty value, not a JSON object");
        }
        if (!node.isObject()) {
            throw new Rejected(fallbackId, "JSON value is " + kind(node) + ", not an object");
        }
        JsonNode idNode = node.get(settings.idField());
        boolean hasId = idNode != null && !idNode.isNull() && !idNode.isContainerNode();
        String id = hasId ? idNode.asText() : fallbackId;
        JsonNode textNode = node.get(settings.textField());
        if (textNode == null || textNode.isNull()) {
            throw new Rejected(id, "missing text field '" + settings.textField() + "'");
        }
        if (!textNode.isTextual()) {
            throw new Rejected(id, "text field '" + settings.textField() + "' is " + kind(textNode)
                    + ", not a string");
        }
        String text = textNode.asText();
        checkText(text, id);
        JsonNode roleNode = node.get(settings.roleField());
        String role = settings.defaultRole();
        if (roleNode != null && !roleNode.isNull()) {
            if (!roleNode.isTextual()) {
                throw new Rejected(id, "role field '" + settings.roleField() + "' is " + kind(roleNode)
                        + ", not a string");
            }
            role = roleNode.asText();
        }
        // the output carries the id even when the input had none
        String payload = hasId ? value : ((ObjectNode) node).put(settings.idField(), id).toString();
        return new EmbedRequest(id, text, role, payload, record.source());
    }

    private void checkText(String text, String id) throws Rejected {
        if (text.isEmpty()) {
            throw new Rejected(id, "empty text");
        }
        int bytes = utf8Length(text);
        if (bytes > settings.maxTextBytes()) {
            throw new Rejected(id, "text is " + bytes + " bytes, over the limit of " + settings.maxTextBytes()
                    + " (input.max-text-bytes)");
        }
    }

    private static String decodeUtf8(byte[] bytes, String id) throws Rejected {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (MalformedInputException e) {
            throw new Rejected(id, "invalid UTF-8 at byte " + in.position());
        } catch (CharacterCodingException e) {
            throw new Rejected(id, "invalid UTF-8: " + e.getMessage());
        }
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** "a string", "an array"... */
    private static String kind(JsonNode node) {
        String type = node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

    /** A record the parser refuses, with the id it would have had. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final String id;

        Rejected(String id, String reason) {
            super(reason, null, false, false);
            this.id = id;
        }
    }
}
