package io.leafembed.job.source;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;

/**
 * Reads {@link LineSource}'s split on its own thread (reads of a pipe block, the task thread must
 * not) and hands the lines to the task through a small bounded queue: a slow consumer slows the
 * reading thread down instead of filling the heap. The task is woken through {@link #isAvailable}
 * as soon as a line arrives, so lines flow one at a time when they come one at a time. Lines that
 * arrive together (a file, a burst on a pipe) are handed on together, so they reach the batching
 * window together however busy the machine is, as a file source's would.
 */
final class LineSourceReader implements SourceReader<RawRecord, LineSource.Split> {

    /** Groups of lines read ahead of the task; small, since one line may be megabytes. */
    private static final int QUEUE_CAPACITY = 16;
    /** Most lines handed on together (a group holds at most one read buffer plus one line). */
    private static final int MAX_GROUP = 1024;

    private final SourceReaderContext context;
    private final long maxLineBytes;
    private final BlockingQueue<List<RawRecord>> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Object lock = new Object();
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private Thread thread;
    private volatile boolean readerDone;
    private volatile Throwable failure;
    private volatile boolean closed;
    private boolean noMoreSplits;

    LineSourceReader(SourceReaderContext context, long maxLineBytes) {
        this.context = context;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void start() {
        context.sendSplitRequest();
    }

    @Override
    public void addSplits(List<LineSource.Split> newSplits) {
        for (LineSource.Split split : newSplits) {
            if (thread != null) {
                throw new IllegalStateException("the line source reads one input, got a second split " + split);
            }
            thread = new Thread(() -> readAll(split.input()), "leaf-embed line reader");
            // a read of standard input cannot be interrupted; a daemon never holds the JVM open
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        signal();
    }

    private void readAll(String input) {
        try (LineReader lines = new LineReader(open(input), maxLineBytes)) {
            List<RawRecord> group = new ArrayList<>();
            for (RawRecord line = lines.next(); line != null && !closed; line = lines.next()) {
                group.add(line);
                if (!lines.hasBufferedLine() || group.size() >= MAX_GROUP) {
                    // the next line has not arrived yet (or the group is big): hand these on now
                    while (!queue.offer(group, 100, TimeUnit.MILLISECONDS)) {
                        if (closed) {
                            return;
                        }
                    }
                    signal();
                    group = new ArrayList<>();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!closed) {
                failure = e; // not our close(): the input did not end, so the run must not look done
            }
        } catch (Throwable e) {
            // anything (an I/O error, out of memory on a huge line) must fail the run, not end the input
            failure = e;
        } finally {
            readerDone = true;
            signal();
        }
    }

    private static InputStream open(String input) throws IOException {
        // standard input unbuffered by System.in: a line must not wait for a buffer to fill
        return input.equals(LineSource.STANDARD_INPUT)
                ? new FileInputStream(FileDescriptor.in)
                : Files.newInputStream(Path.of(input));
    }

    private void signal() {
        synchronized (lock) {
            available.complete(null);
        }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<RawRecord> output) throws IOException {
        List<RawRecord> group = queue.poll();
        if (group != null) {
            group.forEach(output::collect);
            return InputStatus.MORE_AVAILABLE;
        }
        if (failure != null) {
            throw new IOException("cannot read the input: " + failure.getMessage(), failure);
        }
        boolean done = thread == null ? noMoreSplits : readerDone;
        // readerDone is set after the last offer: look at the queue again
        return done && queue.isEmpty() ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        synchronized (lock) {
            // a line offered after this check signals the new future, so no wake-up is lost
            if (!queue.isEmpty() || readerDone || (thread == null && noMoreSplits)) {
                return CompletableFuture.completedFuture(null);
            }
            if (available.isDone()) {
                available = new CompletableFuture<>();
            }
            return available;
        }
    }

    @Override
    public List<LineSource.Split> snapshotState(long checkpointId) {
        // a pipe cannot be re-read: nothing to restore (the local run takes no checkpoints)
        return List.of();
    }

    @Override
    public void close() {
        closed = true;
    }
}
