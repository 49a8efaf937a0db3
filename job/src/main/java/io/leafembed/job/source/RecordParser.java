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
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns raw input records into embedding requests, and everything it cannot read into dead
 * letters with a reason: missing value, invalid UTF-8, malformed JSON, a JSON value that is not
 * an object, missing, non-string, empty or whitespace-only text (unless {@code
 * embedding.empty-text} is embed), a non-string role, an id that is an object or array, a lone
 * UTF-16 surrogate in a JSON string, an input field named like the output's embedding field, text
 * over the byte limit. The role itself is checked by the embedding operator, which knows the
 * model's prompts. A UTF-8 byte-order mark before a JSON value is skipped.
 *
 * <p>Text records: the whole value is the text, the key (line number, Kafka key) the id. JSON
 * records: id, text and role come from configurable fields; the whole object passes through to
 * the output. A record without an id (missing or null) gets its key, else its source position,
 * written into its id field; no other input field is ever changed. Dead letters keep at most
 * {@code maxOriginalBytes} of the original.
 */
public class RecordParser extends ProcessFunction<RawRecord, EmbedRequest> {

    private static final long serialVersionUID = 1L;

    /** Records that could not be parsed. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("parse-dead-letters") {};

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOM = "\uFEFF";
    // {"text":"a"}{"text":"b"} on one line must not lose "b" silently
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT_READER =
            JSON.readerFor(JsonNode.class).with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Accumulator of records read (all of them, good or bad), for progress lines. */
    public static final String RECORDS_IN = "leafembed-records-in";

    /**
     * What the parser needs from the configuration.
     *
     * @param embedBlank whether empty and whitespace-only texts go on to the model ({@code
     *     embedding.empty-text: embed}); otherwise both are dead letters here, with one reason
     * @param embeddingField the output field that will hold the embedding, or null when the output
     *     is not a JSON record (raw encoding): an input field of that name is refused, not overwritten
     * @param maxOriginalBytes most bytes of the original a dead letter keeps
     */
    public record Settings(
            RecordFormat format, String idField, String textField, String roleField, String defaultRole,
            int maxTextBytes, boolean embedBlank, String embeddingField, int maxOriginalBytes)
            implements Serializable {

        public Settings {
            if (embeddingField != null
                    && (embeddingField.equals(idField) || embeddingField.equals(textField)
                            || embeddingField.equals("id") || embeddingField.equals("text"))) {
                throw new io.leafembed.job.config.ConfigException("'output.embedding-field' is '" + embeddingField
                        + "', which would overwrite every record's id or text field ('input.id-field' '"
                        + idField + "', 'input.text-field' '" + textField + "'): pick another name");
            }
        }

        /** Blank texts rejected, no embedding-field check, dead letters keep 64 KiB. */
        public Settings(RecordFormat format, String idField, String textField, String roleField,
                String defaultRole, int maxTextBytes) {
            this(format, idField, textField, roleField, defaultRole, maxTextBytes, false, null,
                    DeadLetter.DEFAULT_MAX_ORIGINAL_BYTES);
        }
    }

    private final Settings settings;
    private transient LongCounter recordsIn;
    private transient ConsumedOffsets consumed;

    public RecordParser(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        recordsIn = getRuntimeContext().getLongCounter(RECORDS_IN);
        consumed = new ConsumedOffsets();
        getRuntimeContext().addAccumulator(ConsumedOffsets.NAME, consumed);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<EmbedRequest> out) {
        if (recordsIn != null) {
            recordsIn.add(1);
            consumed.add(record.source());
        }
        try {
            out.collect(parse(record));
        } catch (Rejected rejected) {
            byte[] original = record.value() == null ? new byte[0] : record.value();
            // keep only a prefix now: a 5 MiB record need not travel whole to the dead-letter sink
            ctx.output(DEAD_LETTERS, DeadLetter.cut(rejected.id, "parse", rejected.getMessage(), original,
                    record.source(), settings.maxOriginalBytes()));
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
        if (value.startsWith(BOM)) {
            // a byte-order mark says "UTF-8", it is not part of the JSON value
            value = value.substring(1);
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
        if (idNode != null && idNode.isContainerNode()) {
            // its text would be "" and the output would have to replace it: refuse instead
            throw new Rejected(fallbackId, "id field '" + settings.idField() + "' is " + kind(idNode)
                    + ", not a string or number");
        }
        boolean hasId = idNode != null && !idNode.isNull();
        String id = hasId ? idNode.asText() : fallbackId;
        String surrogate = loneSurrogate(node, "");
        if (surrogate != null) {
            throw new Rejected(id, surrogate);
        }
        if (settings.embeddingField() != null && node.has(settings.embeddingField())) {
            throw new Rejected(id, "the record has a field '" + settings.embeddingField() + "', which the output's"
                    + " embedding field would overwrite: rename the field or set 'output.embedding-field'");
        }
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
        if (!settings.embedBlank() && text.isBlank()) {
            // one rule, here, for "" and "  \t": both are blank (embedding.empty-text: embed lets them through)
            throw new Rejected(id, "empty or whitespace-only text (embedding.empty-text: reject)");
        }
        int bytes = utf8Length(text);
        if (bytes > settings.maxTextBytes()) {
            throw new Rejected(id, "text is " + bytes + " bytes, over the limit of " + settings.maxTextBytes()
                    + " (input.max-text-bytes)");
        }
    }

    /**
     * Where a JSON string (value or field name) holds a UTF-16 surrogate without its pair (from an
     * escape such as {@code "\\ud800"}): such a string is not Unicode, and writing it as UTF-8
     * would silently turn it into '?'. Null when there is none.
     */
    private static String loneSurrogate(JsonNode node, String path) {
        if (node.isTextual()) {
            int at = loneSurrogateIndex(node.textValue());
            return at < 0 ? null : "lone UTF-16 surrogate \\u" + Integer.toHexString(node.textValue().charAt(at))
                    .toUpperCase(java.util.Locale.ROOT) + " at char " + at + " of " + (path.isEmpty() ? "the value"
                    : "field '" + path + "'") + ": not valid Unicode";
        }
        if (node.isObject()) {
            for (var it = node.fields(); it.hasNext(); ) {
                var field = it.next();
                String name = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (loneSurrogateIndex(field.getKey()) >= 0) {
                    return "lone UTF-16 surrogate in field name '" + name + "': not valid Unicode";
                }
                String found = loneSurrogate(field.getValue(), name);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = loneSurrogate(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static int loneSurrogateIndex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
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
