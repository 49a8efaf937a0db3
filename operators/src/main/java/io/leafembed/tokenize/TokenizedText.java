package io.leafembed.tokenize;

/**
 * One text as the encoder sees it: token ids with special tokens ([CLS] ... [SEP]), their token
 * type ids, and whether the tokenizer cut the text at the max length.
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {

    /** Tokens fed to the model, special tokens included. */
    public int length() {
        return ids.length;
    }
}
