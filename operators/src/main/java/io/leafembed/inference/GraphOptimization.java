package io.leafembed.inference;

import java.util.Locale;

/**
 * ONNX Runtime's graph optimization levels, plus {@code auto}, the default, which picks one of
 * them for the session it opens. {@code all} fuses attention, GELU and layer-norm kernels; {@code
 * basic} only folds constants and removes redundant nodes.
 *
 * <p>{@code auto} is {@code basic} on CPU when a run has one intra-op thread (leaf-embed's usual
 * setup: a slot per core, or several one-thread runs at once) and {@code all} otherwise. In that
 * one-thread setup, {@code basic} embedded 9-12% more texts per second than {@code all} with
 * all-MiniLM-L6-v2 fp32 and the leaf-shaped model on 2 cores, and 0-12% more with int8 (README
 * "Speed"; why the fused kernels lose at one thread was not profiled). With one run of two
 * threads, int8 at {@code basic} was 15-20% slower, and GPUs want the fused kernels, so both keep
 * {@code all}. The vectors differ by float rounding only.
 */
public enum GraphOptimization {
    // no ONNX Runtime type here: a job's main() may build options where ONNX Runtime must not load
    NONE,
    BASIC,
    EXTENDED,
    ALL,
    AUTO;

    /** Parses {@code none|basic|extended|all|auto}, case-insensitively. */
    public static GraphOptimization fromId(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown graph optimization level '" + name
                    + "': use one of auto, none, basic, extended, all");
        }
    }

    /**
     * The level a session opens with: this level, or for {@code auto} {@code basic} on CPU with one
     * intra-op thread and {@code all} otherwise.
     */
    public GraphOptimization forSession(int intraOpThreads, boolean cuda) {
        if (this != AUTO) {
            return this;
        }
        return !cuda && intraOpThreads == 1 ? BASIC : ALL;
    }
}
