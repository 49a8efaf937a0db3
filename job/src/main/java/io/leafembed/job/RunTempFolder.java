package io.leafembed.job;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.WebOptions;

/**
 * One temporary folder per embedded run ({@code java -jar}: local or Kafka), removed when the JVM exits (also after a failure or
 * Ctrl-C), so runs do not pile up files in the temp folder. The embedded Flink puts everything it
 * creates there ({@code io.tmp.dirs}, {@code web.tmpdir}: its RPC jar, blob store, working
 * folders). ONNX Runtime extracts its native library into a folder of its own under the JVM's
 * temp folder and leaves it behind; that folder is removed too. The bundled model's cache
 * ({@code <java.io.tmpdir>/leaf-embed-models}) and DJL's ({@code ~/.djl.ai}) are kept on purpose:
 * they save unpacking on every run.
 */
final class RunTempFolder {

    private final Path path;

    private RunTempFolder(Path path) {
        this.path = path;
    }

    /** Creates {@code <java.io.tmpdir>/leaf-embed-run-<random>}. */
    static RunTempFolder create() throws IOException {
        return new RunTempFolder(Files.createTempDirectory("leaf-embed-run-"));
    }

    Path path() {
        return path;
    }

    /** Points Flink's temp files (io.tmp.dirs, the web upload folder) at {@code folder}. */
    static void useFor(Configuration flink, Path folder) {
        flink.set(CoreOptions.TMP_DIRS, folder.toString());
        flink.set(WebOptions.TMP_DIR, folder.toString());
    }

    /** Deletes the folder and ONNX Runtime's extraction folder; best effort (runs at JVM exit). */
    void delete() {
        deleteTree(path);
        onnxRuntimeTempFolder();
    }

    /**
     * ONNX Runtime 1.28 keeps the folder it extracted its libraries to in a private static field and
     * only asks for it to be deleted on exit, before the files in it: the empty folder stays.
     */
    private static void onnxRuntimeTempFolder() {
        try {
            // without initializing ONNX Runtime if this run never loaded it
            Class<?> ort = Class.forName("ai.onnxruntime.OnnxRuntime", false, RunTempFolder.class.getClassLoader());
            Field field = ort.getDeclaredField("tempDirectory");
            field.setAccessible(true);
            Object folder = field.get(null);
            if (folder instanceof Path) {
                deleteTree((Path) folder);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another ONNX Runtime version: its folder stays, as it would without leaf-embed
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    quietlyDelete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // deleted meanwhile (Flink cleans up too)
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    quietlyDelete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort at exit
        }
    }

    private static void quietlyDelete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a file Flink is still writing keeps its folder; the rest goes
        }
    }
}
