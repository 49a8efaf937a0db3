package io.leafembed.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A bare model pair shipped inside a jar, such as the job jar's default int8 all-MiniLM-L6-v2:
 * resources {@code <name>.onnx} and {@code <name>-tokenizer.json} at the classpath root. ONNX
 * Runtime and the tokenizer read files, so the pair is copied once per machine to {@code
 * <java.io.tmpdir>/leaf-embed-models/<name>-<size>/}; nothing is downloaded. Concurrent slots
 * copy to temporary names and move into place atomically.
 */
public final class ClasspathModel {

    private ClasspathModel() {}

    /** Copies (if needed) and returns the bare pair. */
    public static ModelDirectory extract(String name) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader()
                : ClasspathModel.class.getClassLoader();
        URL onnx = loader.getResource(name + ".onnx");
        URL tokenizer = loader.getResource(name + "-tokenizer.json");
        if (onnx == null || tokenizer == null) {
            throw new ModelLoadException(name, "the classpath has no bundled model '" + name + "' ("
                    + name + ".onnx and " + name + "-tokenizer.json): use the leaf-embed job jar, or"
                    + " give a model directory instead");
        }
        try {
            long size = onnx.openConnection().getContentLengthLong();
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "leaf-embed-models", name + "-" + size);
            Files.createDirectories(dir);
            Path onnxFile = copyOnce(onnx, dir.resolve(name + ".onnx"), size);
            Path tokenizerFile = copyOnce(tokenizer, dir.resolve(name + "-tokenizer.json"), -1);
            return ModelDirectory.bare(onnxFile, tokenizerFile);
        } catch (IOException e) {
            throw new ModelLoadException(name, "cannot copy the bundled model to java.io.tmpdir ("
                    + System.getProperty("java.io.tmpdir") + "): " + e.getMessage()
                    + "; point java.io.tmpdir at a writable folder", e);
        }
    }

    private static Path copyOnce(URL resource, Path target, long expectedSize) throws IOException {
        if (Files.isRegularFile(target) && (expectedSize < 0 || Files.size(target) == expectedSize)) {
            return target;
        }
        Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try (InputStream in = resource.openStream()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
        return target;
    }
}
