package io.leafembed.function;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models that the embedding instances of one job share inside one TaskManager (one JVM):
 * one {@link Embedder}, so one ONNX Runtime session, its weights and its run threads, per set of
 * options, opened by the first instance that asks and closed when the last one lets go.
 *
 * <p>Why: N slots with a session each hold the weights N times (90 MB fp32 for a MiniLM-sized
 * model) and N arenas, and each slot's runs can only use that slot's share of the cores. With one
 * shared session the slots feed the same {@code runtime.parallel-runs} run threads, so a slot
 * with a backlog uses the cores an idle one leaves. Flink loads a job's classes once per
 * TaskManager in the job's own class loader, so the registry (a static field) is per job and
 * TaskManager, and jobs never share models.
 *
 * <p>Options are equal when their serialized forms are equal: every parallel instance gets its
 * own deserialized copy of the same options. A session that failed for a reason not in the texts
 * is {@link #release released as suspect}: it leaves the registry at once, so instances that
 * restart open a fresh one, and it closes when its last holder lets go.
 */
final class SharedEmbedders {

    private static final Logger LOG = LoggerFactory.getLogger(SharedEmbedders.class);
    private static final Map<ByteBuffer, Shared> BY_OPTIONS = new HashMap<>();
    private static final Map<Embedder, Shared> BY_EMBEDDER = new IdentityHashMap<>();

    /** One shared model and the instances that hold it. */
    private static final class Shared {
        final ByteBuffer key;
        final Embedder embedder;
        int holders;

        Shared(ByteBuffer key, Embedder embedder) {
            this.key = key;
            this.embedder = embedder;
        }
    }

    private SharedEmbedders() {}

    /**
     * The model for {@code options}, opened with {@code factory} if no instance holds one; every
     * call must be paired with a {@link #release}. Opening happens under the registry's lock, so
     * slots that start together load the model once.
     */
    static synchronized Embedder acquire(EmbedderOptions options, EmbeddingOperator.EmbedderFactory factory) {
        ByteBuffer key = ByteBuffer.wrap(serialized(options));
        Shared shared = BY_OPTIONS.get(key);
        if (shared == null) {
            shared = new Shared(key, factory.open(options));
            BY_OPTIONS.put(key, shared);
            BY_EMBEDDER.put(shared.embedder, shared);
        }
        shared.holders++;
        // operators read from these lines how many sessions a TaskManager holds (one per model)
        LOG.info("Shared model '{}': {} embedding instance(s) of this job in this TaskManager use one session",
                shared.embedder.modelId(), shared.holders);
        return shared.embedder;
    }

    /**
     * Lets go of {@code embedder}, closing it if no instance holds it any more.
     *
     * @param suspect the session failed for a reason not in the texts: new instances must not get it
     */
    static void release(Embedder embedder, boolean suspect) {
        Embedder toClose = null;
        synchronized (SharedEmbedders.class) {
            Shared shared = BY_EMBEDDER.get(embedder);
            if (shared == null) {
                throw new IllegalStateException("model '" + embedder.modelId() + "' is not shared here");
            }
            if (suspect && BY_OPTIONS.get(shared.key) == shared) {
                BY_OPTIONS.remove(shared.key);
            }
            if (--shared.holders == 0) {
                BY_EMBEDDER.remove(embedder);
                if (BY_OPTIONS.get(shared.key) == shared) {
                    BY_OPTIONS.remove(shared.key);
                }
                toClose = embedder;
            }
        }
        if (toClose != null) {
            toClose.close(); // outside the lock: closing waits for runs, and others may be acquiring
        }
    }

    /** Instances holding {@code embedder} (for tests); 0 when it is not shared here. */
    static synchronized int holders(Embedder embedder) {
        Shared shared = BY_EMBEDDER.get(embedder);
        return shared == null ? 0 : shared.holders;
    }

    private static byte[] serialized(EmbedderOptions options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the embedder options to compare them", e);
        }
        return bytes.toByteArray();
    }
}
