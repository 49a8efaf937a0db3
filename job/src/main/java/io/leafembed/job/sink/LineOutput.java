package io.leafembed.job.sink;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One local output of the job (a file, standard output or standard error), written a whole line
 * per call straight to the file descriptor: no buffer holds results back (a streaming run's reader
 * sees each line when it is written), no line has a size limit, and two writers never interleave
 * inside a line.
 *
 * <p>Write errors are not thrown into the job (a failing task would print Flink's stack traces,
 * and a closed pipe must stop quietly): the first error is kept, later lines are dropped, and
 * {@link #failed()} completes so the local run stops the job and picks the exit code.
 * {@link #finish} waits for the line being written and refuses later records, so a run stopped by
 * Ctrl-C ends its output with a whole line (messages on standard error may still follow).
 *
 * <p>The local run opens its outputs and registers them by name ({@link #register}); {@link
 * LineSink} finds them by name, which works because the embedded MiniCluster runs the job in the
 * same JVM.
 */
public final class LineOutput {

    private static final Map<String, LineOutput> REGISTERED = new ConcurrentHashMap<>();

    private final String description;
    private final OutputStream out;
    private final boolean ownsStream;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong records = new AtomicLong();
    private final CompletableFuture<IOException> failed = new CompletableFuture<>();
    private volatile long firstRecordNanos;
    private volatile boolean finished;

    LineOutput(String description, OutputStream out, boolean ownsStream) {
        this.description = description;
        this.out = out;
        this.ownsStream = ownsStream;
    }

    /** Standard output, written through its file descriptor (System.out would hide write errors). */
    public static LineOutput standardOutput() {
        return new LineOutput("standard output", new FileOutputStream(FileDescriptor.out), false);
    }

    /** Standard error, written through its file descriptor. */
    public static LineOutput standardError() {
        return new LineOutput("standard error", new FileOutputStream(FileDescriptor.err), false);
    }

    /** Creates or truncates {@code file}. */
    public static LineOutput file(Path file) throws IOException {
        return new LineOutput(file.toString(), Files.newOutputStream(file), true);
    }

    /** Makes {@code output} the one {@link LineSink}s named {@code name} write to. */
    public static void register(String name, LineOutput output) {
        REGISTERED.put(name, output);
    }

    static LineOutput registered(String name) {
        LineOutput output = REGISTERED.get(name);
        if (output == null) {
            throw new IllegalStateException("no local output '" + name + "' is open in this JVM: the line"
                    + " sink only runs on the local run's embedded MiniCluster");
        }
        return output;
    }

    /** Writes one record's line; counts it. Never throws: see {@link #failed()}. */
    public void writeRecord(String line) {
        if (write(line, true) && firstRecordNanos == 0) {
            firstRecordNanos = System.nanoTime();
        }
    }

    /** Writes a message line (progress, summary); not counted as a record. */
    public void writeMessage(String line) {
        write(line, false);
    }

    private boolean write(String line, boolean record) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            if (record && finished || failed.isDone()) {
                return false;
            }
            out.write(bytes);
            if (record) {
                records.incrementAndGet();
            }
            return true;
        } catch (IOException e) {
            failed.complete(e);
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Records written so far (message lines not included). */
    public long records() {
        return records.get();
    }

    /** When the first record was written ({@link System#nanoTime()}), 0 before. */
    public long firstRecordNanos() {
        return firstRecordNanos;
    }

    /** Completes with the first write error. */
    public CompletableFuture<IOException> failed() {
        return failed;
    }

    public Optional<IOException> failure() {
        return Optional.ofNullable(failed.getNow(null));
    }

    /** Whether the output is a pipe whose reader has gone ({@code | head}). */
    public boolean closedPipe() {
        return failure().map(e -> String.valueOf(e.getMessage()).contains("Broken pipe")).orElse(false);
    }

    /** "standard output" or the file name. */
    public String description() {
        return description;
    }

    /**
     * Waits (up to {@code timeoutMillis}) for the line being written, then refuses later records
     * and closes a file. Returns false when the wait timed out.
     */
    public boolean finish(long timeoutMillis) {
        finished = true; // writers that have not started their line drop it
        boolean locked;
        try {
            locked = lock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        if (!locked) {
            return false;
        }
        try {
            if (ownsStream) {
                out.close();
            }
            return true;
        } catch (IOException e) {
            failed.complete(e);
            return true;
        } finally {
            lock.unlock();
        }
    }
}
