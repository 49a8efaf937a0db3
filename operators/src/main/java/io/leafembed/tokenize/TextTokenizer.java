package io.leafembed.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
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
        return toTokenized(tokenizer.encode(text));
    }

    /** Tokenizes texts in one native call; the result is in input order. */
    public List<TokenizedText> tokenizeAll(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        List<TokenizedText> out = new ArrayList<>(encodings.length);
        for (Encoding e : encodings) {
            out.add(toTokenized(e));
        }
        return out;
    }

    private static TokenizedText toTokenized(Encoding e) {
        return new TokenizedText(e.getIds(), e.getTypeIds(), e.exceedMaxLength());
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
