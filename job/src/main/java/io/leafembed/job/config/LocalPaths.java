package io.leafembed.job.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a local run's files before anything is loaded or opened for writing: the input exists
 * and is readable; each output file ({@code output.file}, {@code output.dead-letter-file}) can be
 * created or overwritten; and no two of them are the same file (writing the output over the input
 * would destroy it before it is read). Same means the same file on disk, found through symbolic
 * links and relative paths. Every problem is a {@link ConfigException} naming the key.
 */
public final class LocalPaths {

    /** The value of {@code input.file} and the output keys that means standard input or output. */
    public static final String STANDARD_STREAM = "-";

    private LocalPaths() {}

    /** Runs every check on {@code config}'s local files. */
    public static void check(JobConfig config) {
        List<Named> files = new ArrayList<>();
        String input = config.get(JobOptions.INPUT_FILE);
        if (input != null && !input.equals(STANDARD_STREAM)) {
            files.add(new Named(JobOptions.INPUT_FILE.name(), checkInput(Path.of(input))));
        }
        for (ConfigKey<String> key : List.of(JobOptions.OUTPUT_FILE, JobOptions.OUTPUT_DEAD_LETTER_FILE)) {
            String value = config.get(key);
            if (value != null && !value.equals(STANDARD_STREAM)) {
                files.add(new Named(key.name(), checkOutput(key.name(), Path.of(value))));
            }
        }
        for (int i = 0; i < files.size(); i++) {
            for (int j = i + 1; j < files.size(); j++) {
                Named a = files.get(i);
                Named b = files.get(j);
                if (sameRegularFile(a.path(), b.path())) {
                    throw new ConfigException("'" + a.key() + "' and '" + b.key() + "' are the same file ("
                            + a.path() + (a.path().equals(b.path()) ? "" : " and " + b.path()) + "): "
                            + (a.key().equals(JobOptions.INPUT_FILE.name()) ? "writing it would destroy the input"
                                    : "the two outputs would overwrite each other")
                            + "; give '" + b.key() + "' another path");
                }
            }
        }
    }

    private static Path checkInput(Path input) {
        // not only regular files: a named pipe or <(zcat x.gz) streams like standard input
        if (!Files.exists(input) || Files.isDirectory(input)) {
            throw new ConfigException("'input.file' " + input + " does not exist or is a directory"
                    + " (use - for standard input)");
        }
        if (!Files.isReadable(input)) {
            throw new ConfigException("'input.file' " + input + " is not readable");
        }
        return input;
    }

    private static Path checkOutput(String key, Path output) {
        if (Files.isDirectory(output)) {
            throw new ConfigException("'" + key + "' " + output + " is a directory; give a file path in it");
        }
        if (Files.exists(output)) {
            if (!Files.isWritable(output)) {
                throw new ConfigException("'" + key + "' " + output + " exists and is not writable");
            }
            return output;
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new ConfigException("'" + key + "' " + output + ": the directory " + parent
                    + " does not exist; create it first");
        }
        if (!Files.isWritable(parent)) {
            throw new ConfigException("'" + key + "' " + output + ": the directory " + parent
                    + " is not writable");
        }
        return output;
    }

    /**
     * Whether {@code a} and {@code b} are one regular file (existing or about to be created).
     * Devices such as /dev/null may take both outputs.
     */
    static boolean sameRegularFile(Path a, Path b) {
        try {
            boolean aExists = Files.exists(a);
            boolean bExists = Files.exists(b);
            if (aExists && bExists) {
                return Files.isRegularFile(a) && Files.isSameFile(a, b);
            }
            if (aExists || bExists) {
                return false; // one exists and the other does not: two files
            }
            // neither exists yet (both outputs): same real directory and same name
            return a.getFileName().equals(b.getFileName())
                    && a.toAbsolutePath().getParent().toRealPath().equals(b.toAbsolutePath().getParent().toRealPath());
        } catch (IOException e) {
            return false; // the checks above have found the directories; anything else opens later
        }
    }

    private record Named(String key, Path path) {}
}
