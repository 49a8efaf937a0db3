package io.leafembed.inference;

import java.util.Locale;

/**
 * ONNX Runtime's graph optimization levels, plus {@code auto}, the default, which picks one of
 * them for the session it opens. {@code all} fuses attention, GELU, layer-norm and int8
 * dequantizing kernels; {@code basic} only folds constants and removes redundant nodes.
 *
 * <p>{@code auto} picks what measured fastest on 2 cores (README "Speed"):
 * <ul>
 *   <li>a dynamically quantized (int8) graph on CPU: {@code all}, with its layer norms kept
 *       decomposed ({@link LayerNormFusionGuard}, whose Javadoc says why): 18% more texts per
 *       second than {@code basic} in two one-thread runs at once, 22% in one run of two threads,
 *       10% one text at a time;
 *   <li>any other graph on CPU with one intra-op thread per run (leaf-embed's usual setup: a slot
 *       per core, or several one-thread runs at once): {@code basic}, 9-12% faster than {@code
 *       all} with all-MiniLM-L6-v2 fp32 and the leaf-shaped model; most of that is ONNX
 *       Runtime's slow fused layer-norm kernel, and with the layer norms kept decomposed {@code
 *       all} only matched {@code basic}, so fp32 graphs are left as they are;
 *   <li>otherwise (several intra-op threads, or CUDA, whose fused kernels GPUs want): {@code all}.
 * </ul>
 * The vectors differ by float rounding only. An explicit level is used as given, and the graph
 * is then not rewritten.
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
     * The level a session opens with: this level, or for {@code auto} {@code all} for a quantized
     * graph or on CUDA, {@code basic} on CPU with one intra-op thread, and {@code all} otherwise.
     */
    public GraphOptimization forSession(int intraOpThreads, boolean cuda, boolean quantizedGraph) {
        if (this != AUTO) {
            return this;
        }
        return !cuda && !quantizedGraph && intraOpThreads == 1 ? BASIC : ALL;
    }

    /**
     * Whether a session at this (configured) level on this provider keeps a quantized graph's
     * layer norms decomposed: only {@code auto} on CPU does.
     */
    public boolean keepsLayerNormsDecomposed(boolean cuda, boolean quantizedGraph) {
        return this == AUTO && !cuda && quantizedGraph;
    }
}
