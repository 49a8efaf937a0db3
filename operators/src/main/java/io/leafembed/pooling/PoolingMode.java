package io.leafembed.pooling;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How token embeddings become one sentence vector, as sentence-transformers' Pooling module
 * ({@code 1_Pooling/config.json}) says. Padding positions never take part.
 */
public enum PoolingMode {
    /** Mean over the real tokens (attention mask 1), [CLS] and [SEP] included. */
    MEAN("mean", "pooling_mode_mean_tokens"),
    /** The first token's ([CLS]) embedding. */
    CLS("cls", "pooling_mode_cls_token"),
    /** The per-dimension maximum over the real tokens. */
    MAX("max", "pooling_mode_max_tokens"),
    /** The sum over the real tokens divided by the square root of their count. */
    MEAN_SQRT_LEN("mean_sqrt_len_tokens", "pooling_mode_mean_sqrt_len_tokens"),
    /** The last real token's embedding (decoder-style models). */
    LAST_TOKEN("lasttoken", "pooling_mode_lasttoken");

    private final String id;
    private final String configFlag;

    PoolingMode(String id, String configFlag) {
        this.id = id;
        this.configFlag = configFlag;
    }

    /** The name in options and in newer Pooling configs' {@code pooling_mode} field. */
    public String id() {
        return id;
    }

    /** The boolean field of {@code 1_Pooling/config.json} that selects this mode. */
    public String configFlag() {
        return configFlag;
    }

    /**
     * Parses a mode name ({@code mean}, {@code cls}, {@code max}, ...), case-insensitively.
     *
     * @throws IllegalArgumentException naming the valid values when {@code name} is unknown
     */
    public static PoolingMode fromId(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (PoolingMode mode : values()) {
            if (mode.id.equals(wanted) || mode.configFlag.equals(wanted)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown pooling '" + name + "': use one of "
                + Arrays.stream(values()).map(PoolingMode::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
