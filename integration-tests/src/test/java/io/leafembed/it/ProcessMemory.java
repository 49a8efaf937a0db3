package io.leafembed.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of another JVM process as the tests and benchmarks read it: resident and peak
 * resident memory from /proc/PID/status, and committed metaspace through {@code jcmd}. Resident
 * memory is read after a full garbage collection, which unloads the classes of cancelled jobs
 * whose classloaders nothing holds any more: what stays is what the process keeps.
 */
final class ProcessMemory {

    private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used \\d+K, committed (\\d+)K");

    private ProcessMemory() {
    }

    /** Resident memory (VmRSS) in MB after a full garbage collection ({@code jcmd PID GC.run}). */
    static long residentMegabytes(Process process) throws IOException {
        jcmd(process, "GC.run");
        return statusMegabytes(process, "VmRSS:");
    }

    /** The most resident memory the process has had so far (VmHWM), in MB. */
    static long peakResidentMegabytes(Process process) throws IOException {
        return statusMegabytes(process, "VmHWM:");
    }

    /** Committed metaspace in MB (from {@code jcmd PID GC.heap_info}): loaded classes; -1 if not shown. */
    static long metaspaceMegabytes(Process process) throws IOException {
        Matcher m = METASPACE.matcher(jcmd(process, "GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
    }

    private static long statusMegabytes(Process process, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no " + field + " for process " + process.pid());
    }

    private static String jcmd(Process process, String command) throws IOException {
        // output to a file, not a pipe: reading a pipe to its end would wait past the timeout
        Path out = Files.createTempFile("jcmd-", ".txt");
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(process.pid()), command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .start();
            boolean exited = jcmd.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                jcmd.destroyForcibly();
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (!exited || jcmd.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + process.pid() + " " + command
                        + (exited ? " failed: " : " did not answer in 60 s: ") + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
