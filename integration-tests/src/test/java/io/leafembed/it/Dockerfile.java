package io.leafembed.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What docker/Dockerfile says, read from its text: the files it copies (source in the build
 * context -> path in the image), the lib/ jar patterns its build step insists on (and that step's
 * shell command), and the Flink settings it applies on top of config/flink/config.yaml (set and
 * removed keys). Only the instruction forms that file
 * uses are understood (COPY with --chown, RUN with backslash continuations).
 */
record Dockerfile(List<Copy> copies, List<String> libPatterns, String libCheck, Map<String, String> flinkSettings,
        List<String> removedFlinkKeys) {

    /** One source of a COPY instruction and the image path it lands at. */
    record Copy(String source, String destination) {
        /** The image path of a single-file source (a destination folder gets the file name). */
        String imagePath() {
            return destination.endsWith("/") ? destination + Path.of(source).getFileName() : destination;
        }
    }

    private static final Pattern LIB_PATTERNS = Pattern.compile("for pattern in ((?:'[^']+'\\s*)+);");
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    private static final Pattern SETTING = Pattern.compile("-D([^=\\s]+)=(\\S+)");
    private static final Pattern REMOVED = Pattern.compile("-rmKey\\s+(\\S+)");

    static Dockerfile read(Path file) throws IOException {
        List<String> instructions = joinContinuations(Files.readAllLines(file));
        List<Copy> copies = new ArrayList<>();
        List<String> libPatterns = new ArrayList<>();
        String libCheck = null;
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        for (String instruction : instructions) {
            List<String> words = List.of(instruction.trim().split("\\s+"));
            if (words.get(0).equals("COPY")) {
                List<String> operands = words.subList(1, words.size()).stream().filter(w -> !w.startsWith("--")).toList();
                if (words.stream().anyMatch(w -> w.startsWith("--from"))) {
                    continue; // another stage or image, not the build context
                }
                String destination = operands.get(operands.size() - 1);
                operands.subList(0, operands.size() - 1).forEach(s -> copies.add(new Copy(s, destination)));
            } else if (words.get(0).equals("RUN")) {
                Matcher patterns = LIB_PATTERNS.matcher(instruction);
                if (patterns.find()) {
                    libCheck = instruction.substring("RUN".length()).trim();
                    Matcher quoted = QUOTED.matcher(patterns.group(1));
                    while (quoted.find()) {
                        libPatterns.add(quoted.group(1));
                    }
                }
                if (instruction.contains("config-parser-utils.sh")) {
                    Matcher setting = SETTING.matcher(instruction);
                    while (setting.find()) {
                        settings.put(setting.group(1), setting.group(2));
                    }
                    Matcher remove = REMOVED.matcher(instruction);
                    while (remove.find()) {
                        removed.add(remove.group(1));
                    }
                }
            }
        }
        return new Dockerfile(copies, libPatterns, libCheck, settings, removed);
    }

    /** Instructions with their backslash-continued lines joined; comments and blank lines dropped. */
    private static List<String> joinContinuations(List<String> lines) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && current.length() == 0) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                out.add(current.toString().trim());
                current.setLength(0);
            }
        }
        if (current.length() > 0) {
            out.add(current.toString().trim());
        }
        return out;
    }

    /** The build-context path of the file the image has at {@code imagePath}, if a COPY puts one there. */
    java.util.Optional<String> sourceOf(String imagePath) {
        return copies.stream().filter(c -> c.imagePath().equals(imagePath)).map(Copy::source).findFirst();
    }
}
