package io.leafembed.testutils;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The library's all-MiniLM-L6-v2, the reference that operator tests compare their vectors with:
 * register it as a static {@code @RegisterExtension} field; it opens before the test class and
 * closes after it.
 */
public final class ReferenceModel implements BeforeAllCallback, AfterAllCallback {

    private Embedder embedder;

    @Override
    public void beforeAll(ExtensionContext context) {
        embedder = Embedder.open(TestModels.minilm().build());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        embedder.close();
    }

    /** The vector the library gives {@code text} as a document, embedded alone. */
    public float[] document(String text) {
        return embedder.embed(TextInput.document(text)).vector();
    }
}
