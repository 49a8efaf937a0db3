package io.leafembed.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.leafembed.model.ModelLoadException;
import io.leafembed.tokenize.TokenBatch;
import ai.onnxruntime.OnnxJavaType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One ONNX Runtime session over a transformer encoder graph, reused for every batch.
 *
 * <p>The graph's names are read from the session, not assumed: inputs {@code input_ids}, {@code
 * attention_mask} and, only if the graph declares it, {@code token_type_ids}; the output is
 * {@code sentence_embedding} when present (pooling and Dense already inside the graph), else
 * {@code last_hidden_state} or {@code token_embeddings}. Every native tensor and result is
 * closed before {@link #encode} returns, so native memory stays flat however many batches run.
 * Several threads may encode at once (ONNX Runtime runs a session concurrently); each call
 * borrows its own set of buffers.
 *
 * <p>Inputs and the float output live in direct buffers that the encoder keeps and grows to the
 * largest batch seen, and ONNX Runtime writes its output straight into that buffer: a heap buffer
 * would make ONNX Runtime allocate a fresh direct copy of every input, and reading an output it
 * allocated itself copies the whole {@code batch x seq x hidden} tensor once more (both cost ~3%
 * of fp32 throughput on 2 cores). The largest output buffer is {@code maxBatchTokens x hidden}
 * floats (25 MB for 16,384 tokens x 384), counted in the JVM's direct memory (Flink: task
 * off-heap memory).
 */
public final class OnnxEncoder implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OnnxEncoder.class);

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String SENTENCE_EMBEDDING = "sentence_embedding";

    private final String modelId;
    private final String sessionSummary;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean wantsTokenTypeIds;
    private final String outputName;
    private final boolean pooledOutput;
    private final int hiddenSize;
    /** Whether the output is fp32 and can be written into {@link #output} (else read by copy). */
    private final boolean floatOutput;
    /** Buffer sets not in use; a call borrows one (or makes one) and gives it back. */
    private final java.util.concurrent.ConcurrentLinkedDeque<Buffers> idle = new java.util.concurrent.ConcurrentLinkedDeque<>();

    /** One call's direct buffers, grown to the largest batch they served. */
    private static final class Buffers {
        LongBuffer ids;
        LongBuffer mask;
        LongBuffer typeIds;
        FloatBuffer output;
    }

    /**
     * Opens a session on {@code onnxFile}. The file is opened by path so that ONNX Runtime finds
     * an external-data file ({@code model.onnx_data}) next to it.
     *
     * @throws ModelLoadException if the graph cannot be loaded, lacks the inputs or outputs an
     *     encoder needs, or CUDA was requested where it is not available
     */
    public OnnxEncoder(String modelId, Path onnxFile, SessionSettings settings) {
        this.modelId = modelId;
        this.env = OrtEnvironment.getEnvironment();
        Optional<LayerNormFusionGuard> graph = LayerNormFusionGuard.read(onnxFile);
        boolean quantized = graph.map(g -> g.facts().quantized()).orElse(false);
        byte[] decomposed = settings.optimization().keepsLayerNormsDecomposed(settings.cuda(), quantized)
                ? decomposedLayerNorms(modelId, graph.get()) : null;
        this.sessionSummary = settings.summary(quantized, decomposed != null);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(settings.interOpThreads());
            options.setOptimizationLevel(ortLevel(settings.sessionOptimization(quantized)));
            if (settings.cuda()) {
                addCuda(options, settings.cudaDevice());
            }
            if (decomposed != null) {
                // from memory: external weights are then read from the graph's folder, as by path
                options.addConfigEntry("session.model_external_initializers_file_folder_path",
                        graph.get().folder().toString());
                this.session = env.createSession(decomposed, options);
            } else {
                this.session = env.createSession(onnxFile.toString(), options);
            }
        } catch (OrtException e) {
            throw new ModelLoadException(modelId, "ONNX Runtime cannot load " + onnxFile + ": "
                    + e.getMessage() + " (if the graph keeps its weights in an external file such"
                    + " as " + onnxFile.getFileName() + "_data, that file must sit beside it)", e);
        }
        try {
            Set<String> inputs = session.getInputNames();
            if (!inputs.contains(INPUT_IDS) || !inputs.contains(ATTENTION_MASK)) {
                throw new ModelLoadException(modelId, onnxFile + " has inputs " + inputs + " but an"
                        + " encoder needs input_ids and attention_mask: export the model with"
                        + " optimum or use the model's onnx/ folder");
            }
            this.wantsTokenTypeIds = inputs.contains(TOKEN_TYPE_IDS);
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            Optional<String> chosen = Optional.of(SENTENCE_EMBEDDING).filter(outputs::containsKey)
                    .or(() -> Optional.of("last_hidden_state").filter(outputs::containsKey))
                    .or(() -> Optional.of("token_embeddings").filter(outputs::containsKey));
            if (chosen.isEmpty()) {
                throw new ModelLoadException(modelId, onnxFile + " has outputs " + outputs.keySet()
                        + " but leaf-embed needs sentence_embedding, last_hidden_state or"
                        + " token_embeddings");
            }
            this.outputName = chosen.get();
            this.pooledOutput = outputName.equals(SENTENCE_EMBEDDING);
            TensorInfo outputInfo = (TensorInfo) outputs.get(outputName).getInfo();
            this.floatOutput = outputInfo.type == OnnxJavaType.FLOAT;
            long[] shape = outputInfo.getShape();
            this.hiddenSize = (int) shape[shape.length - 1];
            if (hiddenSize < 1 || shape.length != (pooledOutput ? 2 : 3)) {
                throw new ModelLoadException(modelId, onnxFile + ": output " + outputName
                        + " has shape " + java.util.Arrays.toString(shape)
                        + "; expected [batch, seq, hidden] with a fixed hidden size");
            }
        } catch (OrtException | RuntimeException e) {
            closeQuietly();
            if (e instanceof ModelLoadException) {
                throw (ModelLoadException) e;
            }
            throw new ModelLoadException(modelId, "cannot inspect " + onnxFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The graph with its layer norms' squares as products, or null when it has none or the rewrite
     * fails (then the file opens as it is: slower, not wrong).
     */
    private static byte[] decomposedLayerNorms(String modelId, LayerNormFusionGuard graph) {
        if (graph.facts().squares() == 0) {
            return null;
        }
        try {
            return graph.withSquaresAsProducts();
        } catch (RuntimeException e) {
            LOG.warn("Model '{}': cannot keep the layer norms of {} decomposed ({}); opening it as it is",
                    modelId, graph.folder(), e.toString());
            return null;
        }
    }

    /**
     * What the session runs with, for start-up logs: runs, threads, provider and the graph level
     * ({@code auto} resolved for this graph), e.g. {@code "2 runs x 1 intra-op thread, CPU, graph
     * optimization all (auto: int8 graph, layer norms kept decomposed)"}.
     */
    public String sessionSummary() {
        return sessionSummary;
    }

    private static OrtSession.SessionOptions.OptLevel ortLevel(GraphOptimization optimization) {
        switch (optimization) {
            case NONE:
                return OrtSession.SessionOptions.OptLevel.NO_OPT;
            case BASIC:
                return OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case EXTENDED:
                return OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case ALL:
                return OrtSession.SessionOptions.OptLevel.ALL_OPT;
            default:
                throw new IllegalArgumentException("unresolved graph optimization level " + optimization);
        }
    }

    private void addCuda(OrtSession.SessionOptions options, int device) throws OrtException {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new ModelLoadException(modelId, "CUDA was requested but this ONNX Runtime has no"
                    + " CUDA execution provider (available: " + OrtEnvironment.getAvailableProviders()
                    + "): put com.microsoft.onnxruntime:onnxruntime_gpu on the classpath instead of"
                    + " onnxruntime and install CUDA, or turn the cuda option off");
        }
        try {
            options.addCUDA(device);
        } catch (OrtException e) {
            throw new ModelLoadException(modelId, "CUDA device " + device + " cannot be used: "
                    + e.getMessage() + " (check the driver and CUDA/cuDNN libraries, or turn the cuda"
                    + " option off)", e);
        }
    }

    /** Whether the graph returns finished sentence embeddings (no pooling or Dense needed). */
    public boolean pooledOutput() {
        return pooledOutput;
    }

    /** The size of the graph's output vectors (token or sentence). */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** The output that is read ({@code sentence_embedding}, {@code last_hidden_state}...). */
    public String outputName() {
        return outputName;
    }

    /** Runs one padded batch; the output is a copy on the heap (for tests and one-off use). */
    public EncoderOutput encode(TokenBatch batch) {
        return encode(batch, out -> {
            FloatBuffer copy = FloatBuffer.allocate(out.values().remaining());
            copy.put(out.values().duplicate()).flip();
            return new EncoderOutput(copy, out.batch(), out.seq(), out.hidden(), out.pooled());
        });
    }

    /**
     * Runs one padded batch and hands the output to {@code read}, whose result is returned. The
     * output is a view of buffers this encoder reuses: it is valid only inside {@code read} (pool
     * or copy it there). Safe to call from several threads at once.
     */
    public <T> T encode(TokenBatch batch, java.util.function.Function<EncoderOutput, T> read) {
        Buffers buffers = idle.poll();
        if (buffers == null) {
            buffers = new Buffers();
        }
        try {
            return encode(batch, buffers, read);
        } finally {
            idle.push(buffers);
        }
    }

    private <T> T encode(TokenBatch batch, Buffers buffers, java.util.function.Function<EncoderOutput, T> read) {
        int positions = batch.size() * batch.seqLength();
        long[] shape = {batch.size(), batch.seqLength()};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        OnnxTensor pinned = null;
        EncoderOutput output;
        try {
            buffers.ids = fill(buffers.ids, batch.inputIds(), positions);
            buffers.mask = fill(buffers.mask, batch.attentionMask(), positions);
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, buffers.ids, shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, buffers.mask, shape));
            if (wantsTokenTypeIds) {
                buffers.typeIds = fill(buffers.typeIds, batch.tokenTypeIds(), positions);
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, buffers.typeIds, shape));
            }
            if (floatOutput) {
                int values = (pooledOutput ? batch.size() : positions) * hiddenSize;
                buffers.output = ensureCapacity(buffers.output, values);
                long[] outShape = pooledOutput ? new long[] {batch.size(), hiddenSize}
                        : new long[] {batch.size(), batch.seqLength(), hiddenSize};
                pinned = OnnxTensor.createTensor(env, buffers.output, outShape);
                session.run(inputs, Map.of(outputName, pinned)).close();
                output = new EncoderOutput(buffers.output.duplicate(), batch.size(), batch.seqLength(), hiddenSize,
                        pooledOutput);
            } else {
                try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
                    OnnxValue value = result.get(outputName)
                            .orElseThrow(() -> new IllegalStateException("no output " + outputName));
                    // getFloatBuffer copies (widening fp16) into the Java heap, so the result can close.
                    FloatBuffer values = ((OnnxTensor) value).getFloatBuffer();
                    if (values == null) {
                        throw new IllegalStateException("output " + outputName + " is not a float tensor");
                    }
                    output = new EncoderOutput(values, batch.size(), batch.seqLength(), hiddenSize, pooledOutput);
                }
            }
        } catch (OrtException | RuntimeException e) {
            throw new InferenceException(modelId, "batch of " + batch.size() + " texts x "
                    + batch.seqLength() + " tokens: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            if (pinned != null) {
                pinned.close(); // the tensor only; the buffer is ours and stays
            }
        }
        return read.apply(output);
    }

    /** {@code values[0, count)} in {@code buffer} (grown if needed), positioned for ONNX Runtime. */
    private static LongBuffer fill(LongBuffer buffer, long[] values, int count) {
        LongBuffer target = buffer != null && buffer.capacity() >= count ? buffer
                : ByteBuffer.allocateDirect(grown(count) * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
        target.clear();
        target.put(values, 0, count);
        target.flip();
        return target;
    }

    /** {@code buffer}, or a larger one, holding exactly {@code count} floats from position 0. */
    private static FloatBuffer ensureCapacity(FloatBuffer buffer, int count) {
        FloatBuffer target = buffer != null && buffer.capacity() >= count ? buffer
                : ByteBuffer.allocateDirect(grown(count) * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        target.clear().limit(count);
        return target;
    }

    /** Capacity for {@code count} values with headroom, so that slowly rising batch sizes do not reallocate each time. */
    private static int grown(int count) {
        return (int) Math.min(Integer.MAX_VALUE / Long.BYTES, count + (long) count / 4);
    }

    private void closeQuietly() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // already failing; the original error matters more
        }
    }

    @Override
    public void close() {
        // the buffers are freed when collected: drop them now, whoever still holds the encoder
        idle.clear();
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException(modelId, "closing the session: " + e.getMessage(), e);
        }
    }
}
