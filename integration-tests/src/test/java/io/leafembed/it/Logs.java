package io.leafembed.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads the log files of processes a test started: tails for failure reports, lines that match. */
final class Logs {

    private Logs() {}

    /** The last {@code lines} lines of {@code file} (empty if it does not exist). */
    static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        List<String> all = readLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Every {@code file: line} under {@code dir} (recursively, *.log and *.out) that contains one of {@code needles}. */
    static List<String> grep(Path dir, List<String> needles) {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out")).toList()) {
                for (String line : readLines(file)) {
                    if (needles.stream().anyMatch(line::contains)) {
                        hits.add(file.getFileName() + ": " + line);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hits;
    }

    private static List<String> readLines(Path file) {
        try {
            // logs may hold bytes that are not UTF-8 (native crash output): decode leniently
            return List.of(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
