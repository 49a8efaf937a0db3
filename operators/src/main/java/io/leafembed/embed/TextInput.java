package io.leafembed.embed;

import io.leafembed.tokenize.PromptTemplates;
import java.io.Serializable;
import java.util.Objects;

/**
 * A text to embed and its role ({@code query}, {@code document}, another prompt name of the
 * model, or null for the model's default prompt). The role decides the prompt prefix.
 */
public record TextInput(String text, String role) implements Serializable {

    public TextInput {
        Objects.requireNonNull(text, "text");
    }

    /** A search query: gets the model's query prompt. */
    public static TextInput query(String text) {
        return new TextInput(text, PromptTemplates.QUERY);
    }

    /** A document (passage) to index: gets the model's document prompt (none for mdbr-leaf-mt). */
    public static TextInput document(String text) {
        return new TextInput(text, PromptTemplates.DOCUMENT);
    }

    /** A text without a role: gets the model's default prompt, if any. */
    public static TextInput of(String text) {
        return new TextInput(text, null);
    }
}
