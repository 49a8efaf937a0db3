package io.leafembed.tokenize;

import java.util.List;

/**
 * Texts padded to the longest of the batch, flattened row-major for ONNX Runtime: {@code
 * inputIds}, {@code attentionMask} and {@code tokenTypeIds}, each {@code size() x seqLength()}.
 * Padding goes on the right, so row {@code b}'s real tokens are its first {@code length(b)}.
 *
 * <p>A padded batch costs {@code size() x seqLength()} token positions however many are real:
 * {@link #paddingRatio()} is that cost over the real tokens (1.0 means no padding).
 */
public final class TokenBatch {

    private final List<TokenizedText> texts;
    private final int seqLength;
    private final long[] inputIds;
    private final long[] attentionMask;
    private final long[] tokenTypeIds;

    /** Pads {@code texts} with {@code padId} (the mask keeps padding out of the model's view). */
    public TokenBatch(List<TokenizedText> texts, long padId) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one text");
        }
        this.texts = List.copyOf(texts);
        this.seqLength = texts.stream().mapToInt(TokenizedText::length).max().getAsInt();
        int n = texts.size() * seqLength;
        this.inputIds = new long[n];
        this.attentionMask = new long[n];
        this.tokenTypeIds = new long[n];
        for (int b = 0; b < texts.size(); b++) {
            TokenizedText t = texts.get(b);
            int row = b * seqLength;
            java.util.Arrays.fill(inputIds, row, row + seqLength, padId);
            System.arraycopy(t.ids(), 0, inputIds, row, t.length());
            System.arraycopy(t.typeIds(), 0, tokenTypeIds, row, t.length());
            java.util.Arrays.fill(attentionMask, row, row + t.length(), 1L);
        }
    }

    public int size() {
        return texts.size();
    }

    public int seqLength() {
        return seqLength;
    }

    public int length(int row) {
        return texts.get(row).length();
    }

    public TokenizedText text(int row) {
        return texts.get(row);
    }

    public long[] inputIds() {
        return inputIds;
    }

    public long[] attentionMask() {
        return attentionMask;
    }

    public long[] tokenTypeIds() {
        return tokenTypeIds;
    }

    /** Real (unpadded) tokens in the batch. */
    public long realTokens() {
        return texts.stream().mapToLong(TokenizedText::length).sum();
    }

    /** Computed token positions over real tokens: {@code size x seqLength / realTokens}. */
    public double paddingRatio() {
        return (double) size() * seqLength / realTokens();
    }
}
