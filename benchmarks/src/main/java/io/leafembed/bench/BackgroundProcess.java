package io.leafembed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process that runs until the benchmark stops it (a Kafka broker, an unbounded Kafka job):
 * started in a folder with its output and errors in a log file there, its CPU time read on
 * demand, stopped with SIGTERM (then SIGKILL after 30 s) by {@link #close}, or by a shutdown hook
 * if the benchmark dies first.
 */
final class BackgroundProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread stopAtExit;

    private BackgroundProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stopAtExit = new Thread(process::destroyForcibly, "stop " + name);
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /** Starts {@code command} in {@code dir}, logging to {@code dir/logName}; {@code name} is for messages. */
    static BackgroundProcess start(String name, List<String> command, Path dir, String logName,
            Map<String, String> environment) throws IOException {
        Path log = dir.resolve(logName);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new BackgroundProcess(name, builder.start(), log);
    }

    /** The process's CPU time so far, all its threads (ONNX Runtime's native ones too); -1 if unknown. */
    long cpuNanos() {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** Its compiler and GC threads' CPU time so far (empty off Linux). */
    ThreadCpu threadCpu() {
        return ThreadCpu.of(process.pid());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** A failure naming what did not happen, with the end of the job's log. */
    IllegalStateException failure(String what) {
        String text;
        try {
            text = Files.readString(log);
        } catch (IOException e) {
            text = "(no log: " + e + ")";
        }
        return new IllegalStateException(name + " " + (process.isAlive() ? "is running" : "exited "
                + process.exitValue()) + " but " + what + "; its log ends:\n"
                + text.substring(Math.max(0, text.length() - 4000)));
    }

    /** The log's lines that start with {@code prefix}. */
    List<String> logLines(String prefix) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }
}
