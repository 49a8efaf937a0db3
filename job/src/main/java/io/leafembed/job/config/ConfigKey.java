package io.leafembed.job.config;

import java.util.List;
import java.util.function.Function;

/**
 * One configuration key of the job: its dotted kebab-case name (as in the YAML file and on the
 * command line), type, default, description, and how a text value becomes a typed one. The
 * parser throws IllegalArgumentException with the rule when a value is invalid; JobConfig adds
 * the key name.
 *
 * @param defaultValue the value when neither YAML nor command line set it; null means unset
 * @param choices the allowed values of a choice key (shown by --help), else empty
 */
public record ConfigKey<T>(
        String name, Class<T> type, T defaultValue, String description, Function<String, T> parser,
        List<String> choices) {

    /** A key with a free-form value checked by {@code parser}. */
    public ConfigKey(String name, Class<T> type, T defaultValue, String description, Function<String, T> parser) {
        this(name, type, defaultValue, description, parser, List.of());
    }

    /** A free-text key. */
    public static ConfigKey<String> string(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, String.class, defaultValue, description, s -> s);
    }

    /** An integer key with an inclusive minimum and maximum. */
    public static ConfigKey<Integer> integer(String name, Integer defaultValue, int min, int max, String description) {
        return new ConfigKey<>(name, Integer.class, defaultValue, description, s -> {
            int value;
            try {
                value = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
            }
            return value;
        });
    }

    /** A true/false key; a null default leaves the choice to the code that reads the key. */
    public static ConfigKey<Boolean> bool(String name, Boolean defaultValue, String description) {
        return new ConfigKey<>(name, Boolean.class, defaultValue, description, s -> {
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    throw new IllegalArgumentException("must be true or false");
            }
        });
    }

    /** A key whose value is one of {@code choices} (case-insensitive). */
    public static ConfigKey<String> choice(String name, String defaultValue, String description, String... choices) {
        return new ConfigKey<>(name, String.class, defaultValue, description, s -> {
            for (String choice : choices) {
                if (choice.equalsIgnoreCase(s.trim())) {
                    return choice;
                }
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", choices));
        }, List.of(choices));
    }

    /** Parses {@code text}; IllegalArgumentException states the rule. */
    public T parse(String text) {
        return parser.apply(text);
    }
}
