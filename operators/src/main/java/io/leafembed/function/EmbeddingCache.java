package io.leafembed.function;

import io.leafembed.embed.Embedding;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used cache of embeddings by role and text, one per operator instance
 * (slot), so repeated texts skip the model. The options are fixed per operator, so role + text is
 * the whole key. Not thread-safe: a Flink operator calls it from its task thread only.
 */
public final class EmbeddingCache {

    private final int capacity;
    private final LinkedHashMap<String, Embedding> entries;

    /** @param capacity entries kept; 0 disables the cache */
    public EmbeddingCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache size must be >= 0 but was " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Embedding> eldest) {
                return size() > EmbeddingCache.this.capacity;
            }
        };
    }

    private static String key(String role, String text) {
        return (role == null ? "" : role) + '\u0000' + text;
    }

    /** The cached embedding, or null. */
    public Embedding get(String role, String text) {
        return capacity == 0 ? null : entries.get(key(role, text));
    }

    public void put(String role, String text, Embedding embedding) {
        if (capacity > 0) {
            entries.put(key(role, text), embedding);
        }
    }

    public int size() {
        return entries.size();
    }
}
