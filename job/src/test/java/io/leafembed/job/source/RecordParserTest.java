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

    private static final String BLANK = "empty or whitespace-only text (embedding.empty-text: reject)";

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
        assertThat(reason(JSON, raw("{\"text\": \"\"}"))).isEqualTo(BLANK);
        assertThat(reason(JSON, raw("{\"text\": \"hi\", \"role\": 1}")))
                .isEqualTo("role field 'role' is a number, not a string");
        assertThat(reason(JSON, raw("{\"text\": \"" + "é".repeat(51) + "\"}")))
                .isEqualTo("text is 102 bytes, over the limit of 100 (input.max-text-bytes)");
        assertThat(reason(TEXT, raw(""))).isEqualTo(BLANK);
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

    @Test
    void emptyAndWhitespaceOnlyTextsFollowOneRule() throws Exception {
        for (String text : new String[] {"", " ", "\\t \\n"}) {
            assertThat(reason(JSON, raw("{\"id\": \"a\", \"text\": \"" + text + "\"}"))).isEqualTo(BLANK);
        }
        assertThat(reason(TEXT, raw("  \t"))).isEqualTo(BLANK);
        // embedding.empty-text: embed lets both through, to the model
        RecordParser embedBlank = new RecordParser(new RecordParser.Settings(RecordFormat.JSON, "id", "text", "role",
                "document", 100, true, "embedding", 64));
        assertThat(embedBlank.parse(raw("{\"text\": \"\"}")).text()).isEmpty();
        assertThat(embedBlank.parse(raw("{\"text\": \" \"}")).text()).isEqualTo(" ");
    }

    @Test
    void aByteOrderMarkBeforeJsonIsSkipped() throws Exception {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        byte[] json = "{\"id\": \"b\", \"text\": \"with a BOM\"}".getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[bom.length + json.length];
        System.arraycopy(bom, 0, value, 0, 3);
        System.arraycopy(json, 0, value, 3, json.length);
        EmbedRequest r = JSON.parse(raw(value));
        assertThat(r.text()).isEqualTo("with a BOM");
        assertThat(r.payload()).startsWith("{\"id\"");
    }

    @Test
    void aLoneSurrogateIsADeadLetterNeverAQuestionMark() throws Exception {
        assertThat(reason(JSON, raw("{\"id\": \"s\", \"text\": \"ab\\ud800c\"}")))
                .isEqualTo("lone UTF-16 surrogate \\uD800 at char 2 of field 'text': not valid Unicode");
        assertThat(reason(JSON, raw("{\"text\": \"ok\", \"meta\": {\"tags\": [\"x\\udc00\"]}}")))
                .contains("field 'meta.tags[0]'");
        // a proper pair (an emoji as escapes) is fine
        assertThat(JSON.parse(raw("{\"text\": \"\\ud83d\\ude00\"}")).text()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void userFieldsAreNeverOverwritten() throws Exception {
        assertThat(reason(JSON, raw("{\"id\": {\"k\": 1}, \"text\": \"x\"}")))
                .isEqualTo("id field 'id' is an object, not a string or number");
        assertThat(reason(JSON, raw("{\"id\": [1], \"text\": \"x\"}")))
                .isEqualTo("id field 'id' is an array, not a string or number");
        RecordParser withField = new RecordParser(new RecordParser.Settings(RecordFormat.JSON, "id", "text", "role",
                "document", 100, false, "embedding", 64));
        assertThat(reason(withField, raw("{\"text\": \"x\", \"embedding\": [1, 2]}")))
                .startsWith("the record has a field 'embedding', which the output's embedding field would overwrite");
        assertThatThrownBy(() -> new RecordParser.Settings(RecordFormat.JSON, "id", "text", "role", "document", 100,
                false, "text", 64)).hasMessageContaining("'output.embedding-field' is 'text'");
    }
}
