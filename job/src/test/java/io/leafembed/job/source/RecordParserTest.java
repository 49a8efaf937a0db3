package io.leafembed.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.function.EmbedRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gets a clear reason; good records keep their fields. */
class RecordParserTest {

    private static final RecordParser JSON =
            new RecordParser(new RecordParser.Settings(RecordFormat.JSON, "id", "text", "role", "document", 100));
    private static final RecordParser TEXT =
            new RecordParser(new RecordParser.Settings(RecordFormat.TEXT, "id", "text", "role", "document", 100));

    private static RawRecord raw(String value) {
        return new RawRecord("7", value.getBytes(StandardCharsets.UTF_8), "line 7");
    }

    private static RawRecord raw(byte[] value) {
        return new RawRecord("7", value, "line 7");
    }

    private static String reason(RecordParser parser, RawRecord record) {
        try {
            parser.parse(record);
        } catch (RecordParser.Rejected e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted " + record);
    }

    @Test
    void goodJsonKeepsIdTextRoleAndPayload() throws Exception {
        String json = "{\"id\": 42, \"text\": \"héllo\", \"role\": \"query\", \"lang\": \"fr\"}";
        EmbedRequest r = JSON.parse(raw(json));
        assertThat(r.id()).isEqualTo("42");
        assertThat(r.text()).isEqualTo("héllo");
        assertThat(r.role()).isEqualTo("query");
        assertThat(r.payload()).isEqualTo(json);
        EmbedRequest noId = JSON.parse(raw("{\"text\": \"no id\", \"x\": 1}"));
        assertThat(noId.id()).isEqualTo("7");
        assertThat(noId.payload()).isEqualTo("{\"text\":\"no id\",\"x\":1,\"id\":\"7\"}");
        assertThat(noId.source()).isEqualTo("line 7");
        assertThat(JSON.parse(raw("{\"text\": \"no role\"}")).role()).isEqualTo("document");
    }

    @Test
    void plainTextUsesTheKeyAsId() throws Exception {
        EmbedRequest r = TEXT.parse(raw("just a line {not json}"));
        assertThat(r.id()).isEqualTo("7");
        assertThat(r.text()).isEqualTo("just a line {not json}");
        assertThat(r.payload()).isNull(); // plain text: the output builds {"id", "text"}
    }

    @Test
    void badRecordsGetClearReasons() {
        assertThat(reason(JSON, new RawRecord("k", null, "t-0@5"))).isEqualTo("record has no value (a tombstone?)");
        assertThat(reason(JSON, raw("{\"text\": \"a\""))).startsWith("malformed JSON: Unexpected end-of-input");
        assertThat(reason(JSON, raw("{'text': 'single quotes'}"))).startsWith("malformed JSON:");
        assertThat(reason(JSON, raw("[\"text\"]"))).isEqualTo("JSON value is an array, not an object");
        assertThat(reason(JSON, raw("\"just a string\""))).isEqualTo("JSON value is a string, not an object");
        assertThat(reason(JSON, raw("12"))).isEqualTo("JSON value is a number, not an object");
        assertThat(reason(JSON, raw(""))).isEqualTo("empty value, not a JSON object");
        assertThat(reason(JSON, raw("{\"id\": 1}"))).isEqualTo("missing text field 'text'");
        assertThat(reason(JSON, raw("{\"text\": null}"))).isEqualTo("missing text field 'text'");
        assertThat(reason(JSON, raw("{\"text\": 3}"))).isEqualTo("text field 'text' is a number, not a string");
        assertThat(reason(JSON, raw("{\"text\": {\"a\": 1}}"))).isEqualTo("text field 'text' is an object, not a string");
        assertThat(reason(JSON, raw("{\"text\": [\"a\"]}"))).isEqualTo("text field 'text' is an array, not a string");
        assertThat(reason(JSON, raw("{\"text\": true}"))).isEqualTo("text field 'text' is a boolean, not a string");
        assertThat(reason(JSON, raw("{\"text\": \"\"}"))).isEqualTo("empty text");
        assertThat(reason(JSON, raw("{\"text\": \"hi\", \"role\": 1}")))
                .isEqualTo("role field 'role' is a number, not a string");
        assertThat(reason(JSON, raw("{\"text\": \"" + "é".repeat(51) + "\"}")))
                .isEqualTo("text is 102 bytes, over the limit of 100 (input.max-text-bytes)");
        assertThat(reason(TEXT, raw(""))).isEqualTo("empty text");
        assertThat(reason(JSON, raw("{\"text\": \"a\"}{\"text\": \"b\"}"))).startsWith("malformed JSON: Trailing token");
        assertThat(reason(JSON, raw("{\"text\": \"a\"} junk"))).startsWith("malformed JSON:");
        assertThat(reason(JSON, new RawRecord("7", new byte[10], "line 7", "line is 99 bytes, over the limit")))
                .isEqualTo("line is 99 bytes, over the limit");
    }

    @Test
    void invalidUtf8IsReportedWithItsPosition() {
        assertThat(reason(TEXT, raw(new byte[] {'a', 'b', (byte) 0x80}))).isEqualTo("invalid UTF-8 at byte 2");
        assertThat(reason(TEXT, raw(new byte[] {'a', (byte) 0xe2, (byte) 0x82}))).isEqualTo("invalid UTF-8 at byte 1");
        // overlong encoding of '/' and an encoded surrogate are not UTF-8 either
        assertThat(reason(TEXT, raw(new byte[] {(byte) 0xc0, (byte) 0xaf}))).isEqualTo("invalid UTF-8 at byte 0");
        assertThat(reason(JSON, raw(new byte[] {'{', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '}'})))
                .isEqualTo("invalid UTF-8 at byte 1");
    }

    @Test
    void idsOfRejectedRecordsFallBackToKeyThenSource() {
        assertThatThrownBy(() -> JSON.parse(new RawRecord(null, "{\"text\": 1}".getBytes(StandardCharsets.UTF_8),
                "topic-0@12"))).isInstanceOfSatisfying(RecordParser.Rejected.class,
                        e -> assertThat(e.id).isEqualTo("topic-0@12"));
    }
}
