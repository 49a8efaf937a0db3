package io.leafembed.embed;

import io.leafembed.batching.BatchListener;
import io.leafembed.batching.BatchPlanner;
import io.leafembed.inference.EncoderOutput;
import io.leafembed.inference.InferenceException;
import io.leafembed.inference.NativeWorkThreads;
import io.leafembed.inference.OnnxEncoder;
import io.leafembed.model.ClasspathModel;
import io.leafembed.model.ModelDirectory;
import io.leafembed.model.ModelLoadException;
import io.leafembed.pooling.DenseLayer;
import io.leafembed.pooling.OnnxDenseLayer;
import io.leafembed.pooling.Pooler;
import io.leafembed.pooling.PoolingMode;
import io.leafembed.postprocess.L2Normalizer;
import io.leafembed.postprocess.MatryoshkaTruncation;
import io.leafembed.postprocess.Quantization;
import io.leafembed.postprocess.QuantizationRanges;
import io.leafembed.postprocess.Quantizer;
import io.leafembed.tokenize.PromptTemplates;
import io.leafembed.tokenize.TextTokenizer;
import io.leafembed.tokenize.TokenBatch;
import io.leafembed.tokenize.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * Turns texts into embeddings with a sentence-transformers model exported to ONNX, with the same
 * results as sentence-transformers: the library's entry point, usable without Flink.
 *
 * <p>The pipeline, in order: prompt by role -> tokenize (truncate at the max length) -> sort by
 * length and cut into batches -> ONNX Runtime -> pool (mean/cls/max over the attention mask)
 * -> each Dense layer -> L2 normalize -> Matryoshka truncation -> re-normalize -> quantize.
 * When the graph already outputs {@code sentence_embedding}, pooling and Dense are skipped. The
 * two normalize steps run when the model's modules.json lists a Normalize module (or when no
 * modules.json says otherwise), unless {@link EmbedderOptions#normalize()} overrides it.
 *
 * <pre>{@code
 * try (Embedder embedder = Embedder.open(EmbedderOptions.builder()
 *         .modelDir(Path.of("models/mdbr-leaf-mt")).build())) {
 *     List<Embedding> out = embedder.embed(List.of(
 *             TextInput.query("What is machine learning?"),
 *             TextInput.document("Machine learning is a subset of AI...")));
 * }
 * }</pre>
 *
 * <p>One Embedder holds one ONNX Runtime session and one tokenizer; it is meant for one thread at
 * a time (a Flink slot). Memory: the model's weights (90 MB fp32 or 23 MB int8 for
 * all-MiniLM-L6-v2 and mdbr-leaf-mt) plus ONNX Runtime's arena, which grows with the largest
 * batch ({@code maxBatchTokens x hidden x layers} activations, tens of MB), plus direct buffers
 * for the model's inputs and output (at most {@code maxBatchTokens x hidden} floats, 25 MB at the
 * defaults).
 */
public final class Embedder implements AutoCloseable {

    private final String modelId;
    private final EmbedderOptions options;
    private final TextTokenizer tokenizer;
    private final OnnxEncoder encoder;
    private final PoolingMode pooling;
    private final boolean poolingIncludesPrompt;
    private final List<DenseLayer> denseLayers;
    /** The Dense layers as run (in ONNX Runtime); empty when the graph pools itself. */
    private final List<OnnxDenseLayer> projections = new ArrayList<>();
    private final boolean normalize;
    private final PromptTemplates prompts;
    private final int modelDims;
    private final int outputDims;
    private final BatchPlanner planner;
    /** Threads that run batches when the session settings allow several runs at once; else null. */
    private final ExecutorService runThreads;
    /** Faults.NONE, or what tests use to make tokenizing or a model run fail. */
    private final Faults faults;

    /**
     * The seam tests use to inject faults (package-private, not for production use): called before
     * every tokenizer call and every model run; a hook throws to simulate a failure there.
     */
    interface Faults {
        Faults NONE = new Faults() {};

        default void beforeTokenize(List<String> texts) {}

        default void beforeModelRun(TokenBatch batch) {}
    }
    /** prompt_length per role, for include_prompt: false (tokenized once per role). */
    private final Map<String, Integer> promptLengths = new ConcurrentHashMap<>();

    private Embedder(ModelDirectory model, EmbedderOptions options,
            Faults faults) {
        this.options = options;
        this.modelId = options.modelId() != null ? options.modelId() : model.modelId();
        this.pooling = options.pooling() != null ? options.pooling() : model.pooling();
        this.poolingIncludesPrompt = model.poolingIncludesPrompt();
        this.denseLayers = model.denseLayers();
        this.normalize = resolveNormalize(model, options);
        checkRangesFitVectors(options);
        try {
            this.prompts = new PromptTemplates(model.prompts(),
                    options.defaultPromptName() != null ? options.defaultPromptName() : model.defaultPromptName(),
                    options.prompts());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(modelId, e.getMessage(), e);
        }
        int maxLength = resolveMaxLength(model, options);
        OnnxEncoder openedEncoder = new OnnxEncoder(modelId, model.onnxFile(), options.session());
        TextTokenizer openedTokenizer = null;
        try {
            openedTokenizer = new TextTokenizer(modelId, model.tokenizerFile(), maxLength);
            this.modelDims = checkShapes(openedEncoder);
            this.outputDims = resolveOutputDims(options, modelDims);
            if (!openedEncoder.pooledOutput()) {
                for (DenseLayer dense : denseLayers) {
                    projections.add(new OnnxDenseLayer(modelId, dense));
                }
            }
        } catch (RuntimeException e) {
            projections.forEach(OnnxDenseLayer::close);
            openedEncoder.close();
            if (openedTokenizer != null) {
                openedTokenizer.close();
            }
            throw e;
        }
        this.encoder = openedEncoder;
        this.tokenizer = openedTokenizer;
        this.planner = new BatchPlanner(options.maxBatchSize(), options.maxBatchTokens());
        this.faults = faults;
        int runs = options.session().parallelRuns();
        this.runThreads = runs == 1 ? null : Executors.newFixedThreadPool(runs, task -> {
            Thread thread = new Thread(task, "leaf-embed-run-" + modelId);
            thread.setDaemon(true); // a caller that forgets close() must not keep the JVM alive
            return thread;
        });
    }

    /**
     * Loads the model the options name (a directory or a bare pair) and opens its session.
     *
     * @throws ModelLoadException naming the file and the fix when the model cannot be used with
     *     these options
     */
    public static Embedder open(EmbedderOptions options) {
        return open(options, Faults.NONE);
    }

    /**
     * As {@link #open(EmbedderOptions)}, with {@code faults} told about every tokenizer call and
     * model run: the seam tests use to make the model fail on chosen texts.
     */
    static Embedder open(EmbedderOptions options, Faults faults) {
        ModelDirectory model;
        if (options.bundledModel() != null) {
            model = ClasspathModel.extract(options.bundledModel());
        } else if (options.modelDir() != null) {
            model = ModelDirectory.read(options.modelDir(), options.onnxVariant());
        } else {
            model = ModelDirectory.bare(options.onnxFile(), options.tokenizerFile());
        }
        return new Embedder(model, options, faults);
    }

    /** Opens the sentence-transformers directory {@code modelDir} with {@code options}' settings. */
    public static Embedder open(Path modelDir, EmbedderOptions options) {
        return open(options.toBuilder().bundledModel(null).onnxFile(null).tokenizerFile(null)
                .modelDir(modelDir).build());
    }

    /**
     * The option if set, else the model's modules.json (Normalize module or not), else true: a
     * bare pair or a directory without modules.json does not say, and the retrieval models
     * such pairs usually hold (all-MiniLM-L6-v2, bge, e5) end in Normalize.
     */
    private static boolean resolveNormalize(ModelDirectory model, EmbedderOptions options) {
        if (options.normalize() != null) {
            return options.normalize();
        }
        Boolean modelNormalizes = model.normalizes();
        return modelNormalizes == null || modelNormalizes;
    }

    /** Before the session opens: the card's ranges only fit unit vectors. */
    private void checkRangesFitVectors(EmbedderOptions options) {
        if (options.quantization().isScalar() && !normalize && options.ranges().equals(QuantizationRanges.card())) {
            // the card's [-1, 1] bounds a unit vector's coordinates; others would be clamped
            throw new ModelLoadException(modelId, options.quantization() + " with the card's ranges [-1, 1]"
                    + " assumes unit vectors, but this model's vectors are not normalized ("
                    + (options.normalize() != null ? "normalize is off" : "its modules.json has no Normalize module")
                    + "): set normalize to true (job: embedding.normalize: true) or use calibrated ranges"
                    + " (job: embedding.ranges: calibrate)");
        }
    }

    private int resolveMaxLength(ModelDirectory model, EmbedderOptions options) {
        Integer limit = model.maxPositionEmbeddings();
        int hardLimit = Math.min(TextTokenizer.MAX_SUPPORTED_LENGTH, limit == null ? Integer.MAX_VALUE : limit);
        if (options.maxLength() != null) {
            if (options.maxLength() > hardLimit) {
                throw new ModelLoadException(modelId, "maxLength " + options.maxLength()
                        + " exceeds the model's limit of " + hardLimit + " tokens");
            }
            return options.maxLength();
        }
        return model.maxSeqLength() != null ? Math.min(model.maxSeqLength(), hardLimit) : hardLimit;
    }

    /** Checks that pooling and the Dense chain fit the graph; returns the model's output dims. */
    private int checkShapes(OnnxEncoder encoder) {
        int dims = encoder.hiddenSize();
        if (encoder.pooledOutput()) {
            return dims;
        }
        if (pooling == null) {
            throw new ModelLoadException(modelId, "the graph outputs token embeddings ("
                    + encoder.outputName() + ") but no pooling is known: add 1_Pooling/config.json"
                    + " and modules.json, or set the pooling option (mean, cls, max)");
        }
        for (int i = 0; i < denseLayers.size(); i++) {
            DenseLayer dense = denseLayers.get(i);
            if (dense.inFeatures() != dims) {
                throw new ModelLoadException(modelId, "Dense layer " + (i + 1) + " expects "
                        + dense.inFeatures() + " inputs but receives " + dims + " (the "
                        + (i == 0 ? "encoder's hidden size" : "previous Dense layer's output")
                        + "): the Dense weights belong to a different model");
            }
            dims = dense.outFeatures();
        }
        return dims;
    }

    private int resolveOutputDims(EmbedderOptions options, int modelDims) {
        Integer truncateDim = options.truncateDim();
        if (truncateDim != null && truncateDim > modelDims) {
            throw new ModelLoadException(modelId, "truncateDim " + truncateDim
                    + " is larger than the model's " + modelDims + " dims: choose a value in [1, "
                    + modelDims + "]");
        }
        int dims = truncateDim == null ? modelDims : truncateDim;
        QuantizationRanges ranges = options.ranges();
        if (options.quantization().isScalar() && !ranges.fits(dims)) {
            throw new ModelLoadException(modelId, "quantization ranges cover " + ranges.dims()
                    + " dims but embeddings have " + dims + ": calibrate them at the same truncateDim");
        }
        return dims;
    }

    /** The id embeddings report. */
    public String modelId() {
        return modelId;
    }

    /** Dimensions of the returned embeddings (after truncation). */
    public int dims() {
        return outputDims;
    }

    /** Whether vectors are L2-normalized (the option, else the model's Normalize module). */
    public boolean normalizes() {
        return normalize;
    }

    /** Dimensions of the model's own output (before truncation). */
    public int modelDims() {
        return modelDims;
    }

    public int maxLength() {
        return tokenizer.maxLength();
    }

    /** The roles texts may have. */
    public Set<String> roles() {
        return prompts.roles();
    }

    public EmbedderOptions options() {
        return options;
    }

    /**
     * What the model's session runs with, for start-up logs, e.g. {@code "2 runs x 1 intra-op
     * thread, CPU, graph optimization basic (auto)"}: the graph level as {@code auto} resolved it
     * for this model.
     */
    public String sessionSummary() {
        return encoder.sessionSummary();
    }

    /**
     * Why {@code input} cannot be embedded (unknown role, empty text under the REJECT policy), or
     * empty when it can. Lets a caller route bad input aside without catching exceptions.
     */
    public Optional<String> rejectReason(TextInput input) {
        if (!prompts.knows(input.role())) {
            return Optional.of("unknown role '" + input.role() + "': this model knows " + prompts.roles());
        }
        if (options.emptyText() == EmptyTextPolicy.REJECT && input.text().isBlank()) {
            return Optional.of(input.text().isEmpty() ? "empty text" : "text has only whitespace");
        }
        return Optional.empty();
    }

    /** Tokenizes {@code input} as {@link #embed} would (prompt included), without running the model. */
    public TokenizedText tokenize(TextInput input) {
        return tokenizer.tokenize(prompts.prefixFor(input.role()) + input.text());
    }

    /** Embeds one text. */
    public Embedding embed(TextInput input) {
        return embed(List.of(input)).get(0);
    }

    /**
     * Embeds texts; the result is in input order. Texts are sorted by token length and cut into
     * batches of at most {@code maxBatchSize} texts and {@code maxBatchTokens} padded positions,
     * so a text's vector does not depend on what else is in the list.
     *
     * @throws IllegalArgumentException naming the first text that {@link #rejectReason} rejects
     *     (nothing is embedded then)
     * @throws io.leafembed.inference.InferenceException if ONNX Runtime fails
     */
    public List<Embedding> embed(List<TextInput> inputs) {
        return embed(inputs, BatchListener.NONE);
    }

    /** As {@link #embed(List)}, telling {@code listener} about each model batch. */
    public List<Embedding> embed(List<TextInput> inputs, BatchListener listener) {
        List<String> texts = promptedTexts(inputs);
        if (texts.isEmpty()) {
            return List.of();
        }
        faults.beforeTokenize(texts);
        List<TokenizedText> tokenized = tokenizer.tokenizeAll(texts);
        Embedding[] out = new Embedding[inputs.size()];
        List<int[]> plan = planner.plan(lengths(tokenized, allRows(inputs.size())));
        List<List<Embedding>> batches = runBatches(plan, tokenized, listener,
                (rows, told) -> runBatch(tokenized, inputs, rows, told));
        for (int i = 0; i < plan.size(); i++) {
            int[] rows = plan.get(i);
            for (int k = 0; k < rows.length; k++) {
                out[rows[k]] = batches.get(i).get(k);
            }
        }
        return Arrays.asList(out);
    }

    /**
     * One text's result from {@link #embedEach}: its embedding, or (embedding null) the exception
     * it fails with even when embedded alone.
     */
    public record Outcome(Embedding embedding, RuntimeException failure) {

        public boolean failed() {
            return failure != null;
        }
    }

    /**
     * As {@link #embed(List, BatchListener)}, but a failure stays with the texts that cause it, so
     * one poisonous text cannot stop a stream. When tokenizing the list or running a batch throws
     * (any {@link RuntimeException}: tokenizer, ONNX Runtime, pooling, post-processing), only the
     * texts of that step are run again, one by one; batches that succeeded are not repeated. A text
     * that fails alone is an {@link Outcome#failed() failed} outcome, provided a short probe text
     * of the same role still embeds right after it: if the probe fails too, the fault is not in the
     * texts (the session, the machine), and an {@link InferenceException} is thrown so that the
     * caller restarts rather than discards its input. {@link Error}s (out of memory ...) are never
     * caught.
     *
     * @throws IllegalArgumentException as {@link #embed(List)}, for texts {@link #rejectReason}
     *     rejects (nothing is embedded then)
     */
    public List<Outcome> embedEach(List<TextInput> inputs, BatchListener listener) {
        List<String> texts = promptedTexts(inputs);
        Outcome[] out = new Outcome[inputs.size()];
        List<TokenizedText> tokenized = tokenizeIsolating(texts, out);
        List<Integer> ok = new ArrayList<>(inputs.size());
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                ok.add(i);
            }
        }
        int[] okRows = ok.stream().mapToInt(Integer::intValue).toArray();
        List<int[]> plan = planner.plan(lengths(tokenized, okRows)).stream()
                .map(planned -> Arrays.stream(planned).map(k -> okRows[k]).toArray()).toList();
        // each task writes only its own rows of out
        runBatches(plan, tokenized, listener, (rows, told) -> runIsolating(tokenized, inputs, rows, told, out));
        for (int i = 0; i < out.length; i++) {
            if (out[i].failed()) {
                probe(inputs.get(i).role(), out[i].failure());
                break;
            }
        }
        return Arrays.asList(out);
    }

    /**
     * Runs one batch into {@code out}; if it throws, its texts one by one, so that a failure stays
     * with the text that causes it.
     */
    private Void runIsolating(List<TokenizedText> tokenized, List<TextInput> inputs, int[] rows, BatchListener listener,
            Outcome[] out) {
        try {
            List<Embedding> batch = runBatch(tokenized, inputs, rows, listener);
            for (int k = 0; k < rows.length; k++) {
                out[rows[k]] = new Outcome(batch.get(k), null);
            }
        } catch (RuntimeException batchFailure) {
            if (rows.length == 1) {
                out[rows[0]] = new Outcome(null, batchFailure); // it was alone already
                return null;
            }
            for (int row : rows) {
                try {
                    out[row] = new Outcome(runBatch(tokenized, inputs, new int[] {row}, listener).get(0), null);
                } catch (RuntimeException failure) {
                    out[row] = new Outcome(null, failure);
                }
            }
        }
        return null;
    }

    /**
     * Runs {@code task} for every batch of {@code plan}: in order on this thread, or on the run
     * threads, as many at once as the session settings allow, the costliest batches first. Results
     * are in plan order. The listener is told on this thread (metrics need not be thread-safe),
     * after the batches ran. The first failure is thrown once every batch has ended, so no run
     * outlives the call.
     *
     * <p>Why costliest first: the plan ascends by length, so in its order the last batches hold the
     * longest texts, and one run thread may work alone through the last of them while the others
     * idle. Longest first (the classic longest-processing-time rule) leaves the short batches for
     * the end, where they even out the threads' finishing times. On 1,500 fortunes in calls of
     * 1,024 the gain was within the noise of an A/B run; it matters more for windows that end with
     * a few very long texts.
     */
    private <T> List<T> runBatches(List<int[]> plan, List<TokenizedText> tokenized, BatchListener listener,
            BiFunction<int[], BatchListener, T> task) {
        List<T> results = new ArrayList<>(plan.size());
        if (runThreads == null || plan.size() < 2) {
            for (int[] rows : plan) {
                // a cancelled task interrupts the thread: stop between batches (a run itself
                // cannot be stopped) rather than finish a window Flink no longer waits for; out of
                // this method, so that embedEach does not take it for a failure of the texts
                if (Thread.currentThread().isInterrupted()) {
                    throw new InferenceException(modelId, "interrupted while embedding", null);
                }
                results.add(task.apply(rows, listener));
            }
            return results;
        }
        Queue<long[]> told = new ConcurrentLinkedQueue<>();
        BatchListener deferred = (texts, real, computed, nanos) -> told.add(new long[] {texts, real, computed, nanos});
        List<Future<T>> futures = new ArrayList<>(Collections.nCopies(plan.size(), null));
        AtomicBoolean abandoned = new AtomicBoolean();
        for (int b : costliestFirst(plan, tokenized)) {
            int[] rows = plan.get(b);
            // not Future.cancel: a cancelled future reports done while its run may still go on
            futures.set(b, runThreads.submit(() -> abandoned.get() ? null : task.apply(rows, deferred)));
        }
        Throwable failure = null;
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                // queued batches never start; running ones must end before the caller may close
                // the session under them (closing it mid-run crashes the process)
                abandoned.set(true);
                awaitUninterruptibly(futures);
                Thread.currentThread().interrupt();
                throw new InferenceException(modelId, "interrupted while embedding", e);
            }
        }
        for (long[] batch : told) {
            listener.onBatch((int) batch[0], batch[1], batch[2], batch[3]);
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw new InferenceException(modelId, failure.toString(), failure);
        }
        return results;
    }

    /** Waits until every future has ended, whatever interrupts come meanwhile (they are kept). */
    private static void awaitUninterruptibly(List<? extends Future<?>> futures) {
        boolean interrupted = false;
        for (Future<?> future : futures) {
            while (true) {
                try {
                    future.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    break; // ended
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A text any working model embeds; see {@link #embedEach}. */
    static final String PROBE_TEXT = "probe";

    /** Throws if the probe text cannot be embedded either: then {@code textFailure} was not the text's fault. */
    private void probe(String role, RuntimeException textFailure) {
        try {
            String probeText = prompts.prefixFor(role) + PROBE_TEXT;
            faults.beforeTokenize(List.of(probeText));
            TokenizedText probe = tokenizer.tokenize(probeText);
            embedBatch(new TokenBatch(List.of(probe), 0L), Collections.singletonList(role));
        } catch (RuntimeException probeFailure) {
            InferenceException fault = new InferenceException(modelId, "a text failed to embed and so did the"
                    + " probe text '" + PROBE_TEXT + "' right after it: the fault is not in the input", textFailure);
            fault.addSuppressed(probeFailure);
            throw fault;
        }
    }

    /** Tokenizes all texts in one call; if that throws, one by one, recording who fails in {@code out}. */
    private List<TokenizedText> tokenizeIsolating(List<String> texts, Outcome[] out) {
        if (texts.isEmpty()) {
            return List.of();
        }
        try {
            faults.beforeTokenize(texts);
            return tokenizer.tokenizeAll(texts);
        } catch (RuntimeException all) {
            List<TokenizedText> tokenized = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                try {
                    faults.beforeTokenize(List.of(texts.get(i)));
                    tokenized.add(tokenizer.tokenize(texts.get(i)));
                } catch (RuntimeException failure) {
                    tokenized.add(null);
                    out[i] = new Outcome(null, failure);
                }
            }
            return tokenized;
        }
    }

    /** The prompted texts, after checking every input with {@link #rejectReason}. */
    private List<String> promptedTexts(List<TextInput> inputs) {
        List<String> texts = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            TextInput input = inputs.get(i);
            Optional<String> reason = rejectReason(input);
            if (reason.isPresent()) {
                throw new IllegalArgumentException("text " + i + " cannot be embedded: " + reason.get());
            }
            texts.add(prompts.prefixFor(input.role()) + input.text());
        }
        return texts;
    }

    private static int[] allRows(int n) {
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return rows;
    }

    /** The plan's batch indices by descending padded cost (texts x longest), ties in plan order. */
    private static int[] costliestFirst(List<int[]> plan, List<TokenizedText> tokenized) {
        // rows that failed to tokenize are null, and in no batch
        int[] counts = tokenized.stream().mapToInt(t -> t == null ? 0 : t.length()).toArray();
        long[] cost = new long[plan.size()];
        for (int b = 0; b < cost.length; b++) {
            cost[b] = BatchPlanner.paddedPositions(counts, plan.get(b));
        }
        return IntStream.range(0, cost.length).boxed()
                .sorted((x, y) -> Long.compare(cost[y], cost[x]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Token counts of the given rows, in the order of {@code rows}. */
    private static int[] lengths(List<TokenizedText> tokenized, int[] rows) {
        return Arrays.stream(rows).map(row -> tokenized.get(row).length()).toArray();
    }

    /** Pads the given rows into one batch, runs it and tells {@code listener}; results in row order. */
    private List<Embedding> runBatch(List<TokenizedText> tokenized, List<TextInput> inputs, int[] rows,
            BatchListener listener) {
        List<TokenizedText> batchTexts = new ArrayList<>(rows.length);
        for (int row : rows) {
            batchTexts.add(tokenized.get(row));
        }
        TokenBatch padded = new TokenBatch(batchTexts, 0L);
        long start = System.nanoTime();
        List<Embedding> batch = embedBatch(padded, rolesOf(inputs, rows));
        listener.onBatch(padded.size(), padded.realTokens(), (long) padded.size() * padded.seqLength(),
                System.nanoTime() - start);
        return batch;
    }

    private static List<String> rolesOf(List<TextInput> inputs, int[] rows) {
        List<String> roles = new ArrayList<>(rows.length);
        for (int row : rows) {
            roles.add(inputs.get(row).role());
        }
        return roles;
    }

    /**
     * Runs one already-padded batch through the model and the post-processing; {@code roles} are
     * the batch rows' roles. For callers (like the Flink operator) that plan batches themselves.
     */
    public List<Embedding> embedBatch(TokenBatch batch, List<String> roles) {
        faults.beforeModelRun(batch);
        float[][] vectors = encoder.encode(batch, output -> {
            float[][] rows = new float[batch.size()][];
            for (int b = 0; b < batch.size(); b++) {
                rows[b] = output.pooled() ? output.sentence(b) : pool(output, batch, b, roles.get(b));
            }
            return rows;
        });
        for (OnnxDenseLayer dense : projections) {
            vectors = dense.applyAll(vectors);
        }
        List<Embedding> out = new ArrayList<>(batch.size());
        for (int b = 0; b < batch.size(); b++) {
            out.add(finish(vectors[b], batch.text(b), roles.get(b)));
        }
        return out;
    }

    private float[] pool(EncoderOutput output, TokenBatch batch, int b, String role) {
        int from = poolingIncludesPrompt ? 0 : promptTokens(role, batch.length(b));
        return Pooler.pool(pooling, output.values(), b, output.seq(), output.hidden(), from, batch.length(b));
    }

    /**
     * sentence-transformers' {@code prompt_length}: [CLS] plus the prompt's tokens, which Pooling
     * with {@code include_prompt: false} leaves out.
     */
    private int promptTokens(String role, int length) {
        String prompt = prompts.prefixFor(role);
        if (prompt.isEmpty()) {
            return 0;
        }
        int promptLength = promptLengths.computeIfAbsent(prompt, p -> tokenizer.tokenize(p).length() - 1);
        return Math.min(promptLength, length - 1);
    }

    /** normalize -> truncate -> re-normalize -> quantize; both normalize steps only when normalizing. */
    private Embedding finish(float[] pooled, TokenizedText text, String role) {
        float[] vector = normalize ? L2Normalizer.normalizeInPlace(pooled) : pooled;
        vector = MatryoshkaTruncation.truncate(vector, outputDims, normalize);
        Quantization q = options.quantization();
        byte[] codes = q == Quantization.FLOAT32 ? null : Quantizer.quantize(vector, q, options.ranges());
        return new Embedding(vector, codes, q, modelId, role, outputDims, normalize,
                text.truncated(), text.length(), q.isScalar() ? options.ranges().id() : null);
    }

    @Override
    public void close() {
        if (runThreads != null) {
            // a run still in flight (a caller that did not wait) must end before the session closes
            NativeWorkThreads.stopAndAwait(runThreads);
        }
        try {
            projections.forEach(OnnxDenseLayer::close);
        } finally {
            try {
                encoder.close();
            } finally {
                tokenizer.close();
            }
        }
    }
}
