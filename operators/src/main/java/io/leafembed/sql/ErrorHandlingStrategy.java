package io.leafembed.sql;

import static org.apache.flink.configuration.description.TextElement.text;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

/**
 * What ML_PREDICT and EMBED() do with a row the model refuses (NULL, empty or whitespace-only
 * text, a text over {@code input.max-text-bytes}, an unknown role, a text the model fails on
 * alone). Named and spelled as Flink's OpenAI provider's {@code error-handling-strategy}
 * (failover, ignore); {@code retry} is not offered because a local model refuses the same text
 * again, and {@code null} is leaf-embed's own.
 */
public enum ErrorHandlingStrategy implements DescribedEnum {
    FAILOVER("Throw, failing the query (Flink restarts it by its restart strategy)."),
    IGNORE("ML_PREDICT drops the row, as Flink's OpenAI provider does; EMBED() returns NULL. The reason"
            + " is logged (WARN) and counted in the leafembed.deadLetters metric."),
    NULL("Keep the row with a NULL embedding; the reason is logged (WARN) and counted in the"
            + " leafembed.deadLetters metric.");

    private final String description;

    ErrorHandlingStrategy(String description) {
        this.description = description;
    }

    @Override
    public InlineElement getDescription() {
        return text(description);
    }
}
