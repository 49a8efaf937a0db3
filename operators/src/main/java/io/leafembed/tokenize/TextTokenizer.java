package io.leafembed.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import io.leafembed.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes text the way sentence-transformers does, with the Rust Hugging Face tokenizer (through
 * DJL) that Python's {@code tokenizers} also wraps: special tokens added, truncation to {@code
 * maxLength} tokens ({@code [CLS] + first maxLength-2 pieces + [SEP]}), no padding.
 *
 * <p>Padding and truncation are set explicitly because some tokenizer.json files carry fixed
 * values (all-MiniLM-L6-v2's pads and truncates to 128), which would silently change results.
 * Padding happens per batch in {@link TokenBatch}. Thread-safe.
 *
 * <p>The encodings are read through DJL's JNI binding directly, asking only for the token ids,
 * type ids and overflow count: DJL's own {@code Encoding} also copies every token's string, word
 * id, mask and character span into Java, which was a third of the tokenizing time (1,500
 * fortunes: 90 ms of CPU instead of 130), and tokenizing is most of what the library adds around
 * the model. {@code TextTokenizerTest} checks the results against DJL's {@code encode}.
 */
public final class TextTokenizer implements AutoCloseable {

    /** The absolute limit of BERT-family position embeddings. */
    public static final int MAX_SUPPORTED_LENGTH = 512;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;

    /**
     * @param tokenizerJson the model's tokenizer.json
     * @param maxLength the maximum tokens per text, special tokens included, in [3, 512]
     */
    public TextTokenizer(String modelId, Path tokenizerJson, int maxLength) {
        if (maxLength < 3 || maxLength > MAX_SUPPORTED_LENGTH) {
            throw new IllegalArgumentException("max length must be in [3, " + MAX_SUPPORTED_LENGTH
                    + "] but was " + maxLength);
        }
        this.maxLength = maxLength;
        try {
            this.tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(true)
                    .optTruncation(true)
                    .optMaxLength(maxLength)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(modelId, "cannot read tokenizer " + tokenizerJson + ": "
                    + e.getMessage() + " (it must be a Hugging Face fast-tokenizer tokenizer.json)", e);
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /** Tokenizes one text. */
    public TokenizedText tokenize(String text) {
        requireText(text);
        return read(TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, true));
    }

    /**
     * Tokenizes texts in one native call (the Rust tokenizer spreads it over the cores); the result
     * is in input order.
     */
    public List<TokenizedText> tokenizeAll(List<String> texts) {
        texts.forEach(TextTokenizer::requireText);
        long[] encodings = TokenizersLibrary.LIB.batchEncode(tokenizer.getHandle(), texts.toArray(new String[0]), true);
        List<TokenizedText> out = new ArrayList<>(encodings.length);
        int read = 0;
        try {
            for (; read < encodings.length; read++) {
                out.add(read(encodings[read]));
            }
        } finally {
            for (int i = read + 1; i < encodings.length; i++) {
                TokenizersLibrary.LIB.deleteEncoding(encodings[i]); // only if a read threw
            }
        }
        return out;
    }

    /** The native code would crash on null; DJL's encode throws this too. */
    private static void requireText(String text) {
        if (text == null) {
            throw new NullPointerException("input text cannot be null");
        }
    }

    /** Reads what the model needs from a native encoding and frees it. */
    private static TokenizedText read(long encoding) {
        try {
            return new TokenizedText(TokenizersLibrary.LIB.getTokenIds(encoding),
                    TokenizersLibrary.LIB.getTypeIds(encoding), TokenizersLibrary.LIB.getOverflowCount(encoding) > 0);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
