package io.leafembed.bench;

import io.leafembed.inference.LayerNormFusionGuard;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.leafembed.tokenize.TokenizedText;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Contender (a), the ceiling: ONNX Runtime alone on pre-tokenized texts, the whole corpus planned
 * at once (sorted by length and cut into batches of a fixed size, or cut by the padded-cost
 * planner over the whole corpus), straight into {@code session.run}; nothing is
 * read back but the output tensor's existence. Tokenization, pooling and everything else the
 * library does are left out, so (b)..(d) divided by this is what they lose outside the model.
 */
final class RawOrtCeiling implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final boolean tokenTypes;
    private final String output;

    RawOrtCeiling(BenchModel model, int threads) throws OrtException {
        this(model, threads, true, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    /**
     * @param spinning whether idle intra-op threads spin ({@code session.intra_op.allow_spinning},
     *     ONNX Runtime's default) or sleep
     * @param level the graph optimization level
     */
    RawOrtCeiling(BenchModel model, int threads, boolean spinning, OrtSession.SessionOptions.OptLevel level)
            throws OrtException {
        this(model, threads, spinning, level, false);
    }

    /**
     * @param decomposedLayerNorms open the graph with its layer norms' squares as products ({@link
     *     LayerNormFusionGuard}), as the library's {@code auto} does for int8 graphs
     */
    RawOrtCeiling(BenchModel model, int threads, boolean spinning, OrtSession.SessionOptions.OptLevel level,
            boolean decomposedLayerNorms) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(level);
            options.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
            if (decomposedLayerNorms) {
                LayerNormFusionGuard graph = LayerNormFusionGuard.read(model.onnx()).orElseThrow();
                options.addConfigEntry("session.model_external_initializers_file_folder_path", graph.folder().toString());
                session = env.createSession(graph.withSquaresAsProducts(), options);
            } else {
                session = env.createSession(model.onnx().toString(), options);
            }
        }
        tokenTypes = session.getInputNames().contains("token_type_ids");
        output = session.getOutputNames().contains("sentence_embedding") ? "sentence_embedding" : "last_hidden_state";
    }

    /** The whole corpus sorted by length and cut every {@code batchSize} texts (or in arrival order). */
    static List<int[]> fixedPlan(List<TokenizedText> texts, int batchSize, boolean sorted) {
        Integer[] order = new Integer[texts.size()];
        Arrays.setAll(order, i -> i);
        if (sorted) {
            Arrays.sort(order, (x, y) -> Integer.compare(texts.get(x).length(), texts.get(y).length()));
        }
        List<int[]> plan = new java.util.ArrayList<>();
        for (int start = 0; start < order.length; start += batchSize) {
            plan.add(Arrays.stream(order, start, Math.min(order.length, start + batchSize))
                    .mapToInt(Integer::intValue).toArray());
        }
        return plan;
    }

    /** Runs every batch of {@code plan} (indices into {@code texts}); returns computed positions. */
    long run(List<TokenizedText> texts, List<int[]> plan) throws OrtException {
        long positions = 0;
        for (int[] batch : plan) {
            int n = batch.length;
            int seq = 0;
            for (int i : batch) {
                seq = Math.max(seq, texts.get(i).length());
            }
            long[] ids = new long[n * seq];
            long[] mask = new long[n * seq];
            for (int k = 0; k < n; k++) {
                long[] textIds = texts.get(batch[k]).ids();
                System.arraycopy(textIds, 0, ids, k * seq, textIds.length);
                Arrays.fill(mask, k * seq, k * seq + textIds.length, 1L);
            }
            positions += (long) n * seq;
            runBatch(ids, mask, n, seq);
        }
        return positions;
    }

    /**
     * As {@link #run}, with {@code runs} threads each taking the next batch of the plan, so that
     * that many {@code session.run} calls are in flight at once (ONNX Runtime allows concurrent
     * runs of one session). With one intra-op thread per run, this is the library's
     * {@code parallelRuns} setting without the library.
     */
    long runConcurrently(List<TokenizedText> texts, List<int[]> plan, int runs) throws Exception {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(runs);
        try {
            List<java.util.concurrent.Future<Long>> workers = new java.util.ArrayList<>();
            for (int w = 0; w < runs; w++) {
                workers.add(pool.submit(() -> {
                    long positions = 0;
                    for (int i = next.getAndIncrement(); i < plan.size(); i = next.getAndIncrement()) {
                        positions += run(texts, List.of(plan.get(i)));
                    }
                    return positions;
                }));
            }
            long positions = 0;
            for (java.util.concurrent.Future<Long> worker : workers) {
                positions += worker.get();
            }
            return positions;
        } finally {
            pool.shutdownNow();
        }
    }

    private void runBatch(long[] ids, long[] mask, int n, int seq) throws OrtException {
        long[] shape = {n, seq};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (tokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[n * seq]), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                if (result.get(output).isEmpty()) {
                    throw new IllegalStateException("no " + output);
                }
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
