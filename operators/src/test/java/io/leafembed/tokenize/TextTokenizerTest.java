package io.leafembed.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.leafembed.testutils.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer reads native encodings itself (ids, type ids, overflow) instead of through DJL's
 * {@code Encoding}: its results must be DJL's, text for text, one by one and in a batch, cut or not.
 */
class TextTokenizerTest {

    private static final int MAX_LENGTH = 16;
    private static TextTokenizer tokenizer;
    private static HuggingFaceTokenizer djl;

    @BeforeAll
    static void open() throws Exception {
        tokenizer = new TextTokenizer("test", TestModels.minilmTokenizer(), MAX_LENGTH);
        djl = HuggingFaceTokenizer.builder().optTokenizerPath(TestModels.minilmTokenizer())
                .optAddSpecialTokens(true).optTruncation(true).optMaxLength(MAX_LENGTH).optPadding(false).build();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        djl.close();
    }

    private static List<String> texts() {
        List<String> texts = new ArrayList<>(List.of("", " ", "Hello, World!", "naïve café — déjà vu 😀 日本語",
                "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
                "[CLS] [SEP] [MASK] tokens typed as text", "tab\tand\nnewline"));
        for (int words = 1; words < 40; words += 3) {
            texts.add(String.join(" ", java.util.Collections.nCopies(words, "tokenization")));
        }
        return texts;
    }

    @Test
    void oneByOneEqualsDjlsEncoding() {
        for (String text : texts()) {
            Encoding expected = djl.encode(text);
            TokenizedText actual = tokenizer.tokenize(text);
            assertArrayEquals(expected.getIds(), actual.ids(), text);
            assertArrayEquals(expected.getTypeIds(), actual.typeIds(), text);
            assertEquals(expected.exceedMaxLength(), actual.truncated(), text);
        }
    }

    @Test
    void aBatchEqualsOneByOneInInputOrder() {
        List<String> texts = texts();
        List<TokenizedText> batch = tokenizer.tokenizeAll(texts);
        assertEquals(texts.size(), batch.size());
        for (int i = 0; i < texts.size(); i++) {
            TokenizedText single = tokenizer.tokenize(texts.get(i));
            assertArrayEquals(single.ids(), batch.get(i).ids(), texts.get(i));
            assertEquals(single.truncated(), batch.get(i).truncated(), texts.get(i));
        }
    }

    @Test
    void longTextsAreCutAtTheMaxLengthAndSaySo() {
        List<TokenizedText> batch = tokenizer.tokenizeAll(texts());
        assertTrue(batch.stream().anyMatch(TokenizedText::truncated), "the texts include some longer than the max");
        for (TokenizedText t : batch) {
            assertTrue(t.length() <= MAX_LENGTH, Arrays.toString(t.ids()));
            assertEquals(t.truncated(), t.length() == MAX_LENGTH && t.truncated());
        }
    }

    @Test
    void nullIsRefusedBeforeTheNativeCall() {
        assertThrows(NullPointerException.class, () -> tokenizer.tokenize(null));
        assertThrows(NullPointerException.class, () -> tokenizer.tokenizeAll(Arrays.asList("a", null)));
    }
}
