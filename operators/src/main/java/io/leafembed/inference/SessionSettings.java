package io.leafembed.inference;

import java.io.Serializable;

/**
 * How one ONNX Runtime session runs: its thread pools, graph optimization and execution
 * provider.
 *
 * <p>ONNX Runtime's default intra-op pool takes every core of the machine and ignores cgroup
 * limits, so N Flink slots would start N x cores spinning threads: the counts here are always
 * explicit. A slot per core with {@code intraOpThreads = 1} is the usual Flink setup; a single
 * local process can give one session every core.
 *
 * @param intraOpThreads threads that split one operator (matrix multiply) of a batch, at least 1
 * @param interOpThreads threads that run independent graph nodes in parallel, at least 1
 * @param optimization the graph optimization level; {@link GraphOptimization#AUTO} picks one by the
 *     graph, thread count and provider (see {@link #sessionOptimization(boolean)})
 * @param cuda run on the CUDA execution provider (needs the onnxruntime_gpu artifact and a GPU;
 *     opening fails with a clear message otherwise)
 * @param cudaDevice the CUDA device id when {@code cuda} is set
 * @param parallelRuns model runs (batches) an {@link io.leafembed.embed.Embedder} executes at once
 *     on the session, each on its own thread with {@code intraOpThreads} threads, at least 1. On
 *     2 cores, two runs of one thread each embedded 15-28% more texts per second than one run of
 *     two threads (all-MiniLM-L6-v2 fp32/int8, batches of tens of short texts, whose matrix
 *     products split poorly across threads), with the weights loaded once.
 */
public record SessionSettings(
        int intraOpThreads, int interOpThreads, GraphOptimization optimization, boolean cuda, int cudaDevice,
        int parallelRuns) implements Serializable {

    /**
     * One intra-op thread, one inter-op thread, {@code auto} optimization (so {@code basic}, or
     * {@code all} for an int8 graph), CPU,
     * one run at a time.
     */
    public static SessionSettings defaults() {
        return new SessionSettings(1, 1, GraphOptimization.AUTO, false, 0);
    }

    /**
     * For start-up logs: what the session runs with, e.g. {@code "2 runs x 1 intra-op thread, CPU,
     * graph optimization basic (auto)"}, so that an operator can see what {@code auto} chose for
     * a graph that is ({@code quantizedGraph}) or is not dynamically quantized, and whether its
     * layer norms were kept decomposed ({@link LayerNormFusionGuard}).
     */
    public String summary(boolean quantizedGraph, boolean layerNormsDecomposed) {
        String level = sessionOptimization(quantizedGraph).name().toLowerCase(java.util.Locale.ROOT);
        if (optimization == GraphOptimization.AUTO) {
            level += !optimization.keepsLayerNormsDecomposed(cuda, quantizedGraph) ? " (auto)"
                    : layerNormsDecomposed ? " (auto: int8 graph, layer norms kept decomposed)" : " (auto: int8 graph)";
        }
        return parallelRuns + (parallelRuns == 1 ? " run" : " runs") + " x " + intraOpThreads
                + (intraOpThreads == 1 ? " intra-op thread, " : " intra-op threads, ")
                + (cuda ? "CUDA device " + cudaDevice : "CPU") + ", graph optimization " + level;
    }

    /** The graph optimization level the session opens with, {@code auto} resolved for the graph. */
    public GraphOptimization sessionOptimization(boolean quantizedGraph) {
        return optimization.forSession(intraOpThreads, cuda, quantizedGraph);
    }

    /** Settings with one model run at a time. */
    public SessionSettings(int intraOpThreads, int interOpThreads, GraphOptimization optimization, boolean cuda,
            int cudaDevice) {
        this(intraOpThreads, interOpThreads, optimization, cuda, cudaDevice, 1);
    }

    /** These settings with {@code runs} model runs at a time. */
    public SessionSettings withParallelRuns(int runs) {
        return new SessionSettings(intraOpThreads, interOpThreads, optimization, cuda, cudaDevice, runs);
    }

    public SessionSettings {
        if (parallelRuns < 1) {
            throw new IllegalArgumentException("parallel runs must be at least 1 but was " + parallelRuns);
        }
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1 but was " + intraOpThreads);
        }
        if (interOpThreads < 1) {
            throw new IllegalArgumentException("inter-op threads must be at least 1 but was " + interOpThreads);
        }
        if (optimization == null) {
            throw new IllegalArgumentException("graph optimization level must be set");
        }
        if (cudaDevice < 0) {
            throw new IllegalArgumentException("CUDA device id must be >= 0 but was " + cudaDevice);
        }
    }
}
