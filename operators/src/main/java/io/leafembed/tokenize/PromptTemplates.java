package io.leafembed.tokenize;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The prompt (a text prefix) each role gets before tokenization, as sentence-transformers'
 * {@code encode(..., prompt_name=role)} does: mdbr-leaf-mt prefixes queries with {@code
 * "Represent this sentence for searching relevant passages: "} and leaves documents alone.
 *
 * <p>Roles are the model's named prompts (config_sentence_transformers.json) plus options'
 * overrides, and always {@code query} and {@code document}: a model without those prompts embeds
 * both roles as plain text. A text without a role gets the model's {@code default_prompt_name}
 * prompt, or none.
 */
public final class PromptTemplates implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The role of search queries. */
    public static final String QUERY = "query";
    /** The role of indexed documents (passages). */
    public static final String DOCUMENT = "document";

    private final Map<String, String> prompts;
    private final String defaultPromptName;

    /**
     * @param modelPrompts the model's named prompts
     * @param defaultPromptName the prompt for texts without a role, or null
     * @param overrides prompts that replace or add to the model's
     */
    public PromptTemplates(Map<String, String> modelPrompts, String defaultPromptName, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        merged.put(QUERY, "");
        merged.put(DOCUMENT, "");
        merged.putAll(modelPrompts);
        merged.putAll(overrides);
        if (defaultPromptName != null && !merged.containsKey(defaultPromptName)) {
            throw new IllegalArgumentException("default prompt '" + defaultPromptName
                    + "' is not one of the prompts " + merged.keySet());
        }
        this.prompts = Collections.unmodifiableMap(merged);
        this.defaultPromptName = defaultPromptName;
    }

    /** The roles a text may have. */
    public Set<String> roles() {
        return Collections.unmodifiableSet(new TreeSet<>(prompts.keySet()));
    }

    public boolean knows(String role) {
        return role == null || prompts.containsKey(role);
    }

    /**
     * The prefix for {@code role} ({@code ""} for none).
     *
     * @throws IllegalArgumentException naming the known roles when {@code role} is unknown
     */
    public String prefixFor(String role) {
        if (role == null) {
            return defaultPromptName == null ? "" : prompts.get(defaultPromptName);
        }
        String prompt = prompts.get(role);
        if (prompt == null) {
            throw new IllegalArgumentException("unknown role '" + role + "': this model knows " + roles());
        }
        return prompt;
    }

    /** Every named prompt, overrides applied. */
    public Map<String, String> asMap() {
        return prompts;
    }
}
