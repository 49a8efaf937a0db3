package io.leafembed.it;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Twenty kinds of bad input, each with (part of) the dead-letter reason it must get. */
final class BadInputCorpus {

    /** A bad record: Kafka key, raw value (may be null) and the expected reason. */
    record Bad(String key, byte[] value, String reason) {}

    /** Texts longer than this many bytes are refused; the corpus has one. */
    static final int MAX_TEXT_BYTES = 4096;

    private BadInputCorpus() {}

    private static Bad json(String key, String value, String reason) {
        return new Bad(key, value.getBytes(StandardCharsets.UTF_8), reason);
    }

    static List<Bad> records() {
        return List.of(
                json("b1", "{\"id\": \"b1\", \"text\": \"x\"", "malformed JSON"),
                json("b2", "not json", "malformed JSON"),
                json("b3", "[1, 2]", "JSON value is an array, not an object"),
                json("b4", "\"a string\"", "JSON value is a string, not an object"),
                json("b5", "{\"id\": \"b5\"}", "missing text field 'text'"),
                json("b6", "{\"id\": \"b6\", \"text\": null}", "missing text field 'text'"),
                json("b7", "{\"id\": \"b7\", \"text\": 12}", "text field 'text' is a number, not a string"),
                json("b8", "{\"id\": \"b8\", \"text\": {\"nested\": 1}}", "text field 'text' is an object, not a string"),
                json("b9", "{\"id\": \"b9\", \"text\": \"\"}", "empty or whitespace-only text"),
                json("b10", "{\"id\": \"b10\", \"text\": \"   \\t \"}", "empty or whitespace-only text"),
                json("b11", "{\"id\": \"b11\", \"text\": \"hi\", \"role\": \"passage\"}", "unknown role 'passage'"),
                json("b12", "{\"id\": \"b12\", \"text\": \"hi\", \"role\": 7}", "role field 'role' is a number"),
                json("b13", "{\"id\": \"b13\", \"text\": \"" + "x".repeat(5000) + "\"}",
                        "over the limit of " + MAX_TEXT_BYTES),
                new Bad("b14", new byte[] {'{', (byte) 0xc3, '}'}, "invalid UTF-8 at byte 1"),
                new Bad("b15", null, "record has no value"),
                json("b16", "", "empty value, not a JSON object"),
                json("b17", "{\"id\": \"b17\", \"text\": [\"a\"]}", "text field 'text' is an array, not a string"),
                json("b18", "{\"id\": {\"k\": 1}, \"text\": \"x\"}", "id field 'id' is an object"),
                json("b19", "{\"id\": \"b19\", \"text\": \"a\\udc00\"}", "lone UTF-16 surrogate"),
                json("b20", "{\"id\": \"b20\", \"text\": \"x\", \"embedding\": 1}", "the record has a field 'embedding'"));
    }
}
