package io.leafembed.embed;

/**
 * What happens to an empty or whitespace-only text. sentence-transformers embeds it as {@code
 * [CLS] [SEP]} (plus the prompt), a vector that says nothing about content but lands near every
 * other empty text, which pollutes a search index; so leaf-embed rejects it unless told to embed.
 */
public enum EmptyTextPolicy {
    /** Reject: {@code Embedder.embed} throws, {@code Embedder.rejectReason} names it (the default). */
    REJECT,
    /** Embed it as sentence-transformers does. */
    EMBED
}
