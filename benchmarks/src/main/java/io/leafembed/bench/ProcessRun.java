package io.leafembed.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A contender that runs as its own process (the job jar, node): its wall time, and its CPU time
 * sampled every 20 ms while it runs (the last sample before it exits, so a few ms may be missed).
 */
record ProcessRun(long wallNanos, long cpuNanos, String stdout, String stderr) {

    /** Told every 20 ms while the process runs: the time since start and its CPU time so far. */
    @FunctionalInterface
    interface Watcher {
        Watcher NONE = (nanos, cpu) -> {};

        void poll(long nanosSinceStart, long cpuNanos) throws IOException;
    }

    static ProcessRun start(List<String> command, Path dir, Map<String, String> environment, Path logDir)
            throws IOException, InterruptedException {
        return start(command, dir, environment, logDir, Watcher.NONE);
    }

    static ProcessRun start(List<String> command, Path dir, Map<String, String> environment, Path logDir,
            Watcher watcher) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        Path out = Files.createTempFile(logDir, "stdout", ".log");
        Path err = Files.createTempFile(logDir, "stderr", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process = builder.start();
        long cpu = -1;
        try {
            while (!process.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                // the last sample, taken as the process exits, can be unavailable: keep the latest known
                cpu = Math.max(cpu, process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L));
                watcher.poll(System.nanoTime() - start, cpu);
            }
        } finally {
            process.destroyForcibly();
        }
        long wall = System.nanoTime() - start;
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
                    + tail(stderr) + tail(stdout));
        }
        return new ProcessRun(wall, cpu, stdout, stderr);
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
