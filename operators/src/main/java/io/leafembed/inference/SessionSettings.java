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
 * @param optimization the graph optimization level
 * @param cuda run on the CUDA execution provider (needs the onnxruntime_gpu artifact and a GPU;
 *     opening fails with a clear message otherwise)
 * @param cudaDevice the CUDA device id when {@code cuda} is set
 */
public record SessionSettings(
        int intraOpThreads, int interOpThreads, GraphOptimization optimization, boolean cuda, int cudaDevice)
        implements Serializable {

    /** One intra-op thread, one inter-op thread, all optimizations, CPU. */
    public static SessionSettings defaults() {
        return new SessionSettings(1, 1, GraphOptimization.ALL, false, 0);
    }

    public SessionSettings {
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
