package io.leafembed.inference;

import java.util.Locale;

/**
 * ONNX Runtime's graph optimization levels. {@code all} (the default) fuses attention and layer
 * norm kernels; {@code basic} only folds constants and removes redundant nodes, and keeps the
 * graph portable across machines.
 */
public enum GraphOptimization {
    // no ONNX Runtime type here: a job's main() may build options where ONNX Runtime must not load
    NONE,
    BASIC,
    EXTENDED,
    ALL;

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
