package io.leafembed.inference;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Locale;

/**
 * ONNX Runtime's graph optimization levels. {@code all} (the default) fuses attention and layer
 * norm kernels; {@code basic} only folds constants and removes redundant nodes, and keeps the
 * graph portable across machines.
 */
public enum GraphOptimization {
    NONE(OptLevel.NO_OPT),
    BASIC(OptLevel.BASIC_OPT),
    EXTENDED(OptLevel.EXTENDED_OPT),
    ALL(OptLevel.ALL_OPT);

    private final OptLevel level;

    GraphOptimization(OptLevel level) {
        this.level = level;
    }

    OptLevel ortLevel() {
        return level;
    }

    /** Parses {@code none|basic|extended|all}, case-insensitively. */
    public static GraphOptimization fromId(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown graph optimization level '" + name
                    + "': use one of none, basic, extended, all");
        }
    }
}
