package io.leafembed.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The benchmark's texts: real English of mixed lengths from Debian's {@code fortunes} and {@code
 * fortunes-min} packages (fetched with {@code apt-get download} and unpacked with {@code dpkg-deb
 * -x} under {@code target/}, no root needed), in a fixed shuffled order, with one text in ten cut
 * to its first words as a short query. Or any file with one text per line ({@code --corpus FILE}).
 */
final class Corpus {

    private static final long SEED = 10L;

    private Corpus() {}

    /** Texts from {@code file}, one per non-blank line. */
    static List<String> fromFile(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }

    /** The fortunes corpus, fetched into {@code work} on first use. */
    static List<String> fortunes(Path work) throws IOException, InterruptedException {
        Path unpacked = work.resolve("fortunes");
        Path dir = unpacked.resolve("usr/share/games/fortunes");
        if (!Files.isDirectory(dir)) {
            fetch(work, unpacked);
        }
        Set<String> texts = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                // .dat are indexes; ascii-art is not prose
                if (name.endsWith(".dat") || name.endsWith(".u8") || name.equals("ascii-art")
                        || !Files.isRegularFile(file)) {
                    continue;
                }
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String entry : content.split("\n%\n")) {
                    String text = entry.replaceAll("\\s+", " ").strip();
                    if (text.length() >= 20 && text.length() <= 700 && mostlyLetters(text)) {
                        texts.add(text);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>(texts);
        Collections.shuffle(out, new Random(SEED));
        for (int i = 0; i < out.size(); i += 10) {
            out.set(i, firstWords(out.get(i), 3 + i % 6)); // short queries in the stream
        }
        return out;
    }

    private static void fetch(Path work, Path unpacked) throws IOException, InterruptedException {
        Path debs = work.resolve("debs");
        Files.createDirectories(debs);
        run(debs, "apt-get", "download", "fortunes-min", "fortunes");
        try (Stream<Path> files = Files.list(debs)) {
            for (Path deb : files.filter(f -> f.toString().endsWith(".deb")).toList()) {
                run(debs, "dpkg-deb", "-x", deb.toString(), unpacked.toString());
            }
        }
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command[0] + " to fetch the fortunes corpus (" + e.getMessage()
                    + "): on a machine without apt-get/dpkg-deb pass --corpus FILE (one text per line)", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output
                    + "\n(run apt-get update once, or pass --corpus FILE with one text per line)");
        }
    }

    private static boolean mostlyLetters(String text) {
        long letters = text.chars().filter(c -> Character.isLetter(c) || c == ' ').count();
        return letters >= 0.8 * text.length();
    }

    private static String firstWords(String text, int words) {
        String[] parts = text.split(" ");
        return String.join(" ", java.util.Arrays.asList(parts).subList(0, Math.min(words, parts.length)));
    }
}
