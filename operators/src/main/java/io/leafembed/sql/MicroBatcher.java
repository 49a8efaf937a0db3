package io.leafembed.sql;

import io.leafembed.batching.BatchListener;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.TextInput;
import io.leafembed.function.BatchingOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The batching behind the asynchronous SQL functions: Flink calls them once per row and wants a
 * future back, but one model run per row wastes most of the CPU (padding-free, length-sorted
 * batches run ~1.8x faster). Requests queue here; one thread per parallel instance takes a window
 * of up to {@code windowSize} of them, or whatever arrived within {@code maxWaitMillis} of the
 * window's oldest request, embeds the window with {@link Embedder#embedEach} (sorted by token
 * length and cut into model batches, as the DataStream operator does) and completes each future
 * with its own outcome.
 *
 * <p>Only this thread touches the Embedder. A text that fails alone completes with a failed
 * outcome; a fault that is not in the texts (embedEach throws) or an {@link Error} fails every
 * future of the window, which fails the query. {@link #close()} stops the thread and cancels what
 * is still queued.
 */
final class MicroBatcher implements AutoCloseable {

    private record Request(TextInput input, long arrivedNanos, CompletableFuture<Embedder.Outcome> result) {}

    private final Embedder embedder;
    private final BatchingOptions batching;
    private final BatchListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final Thread worker;
    private boolean closed;

    MicroBatcher(Embedder embedder, BatchingOptions batching, BatchListener listener, String threadName) {
        this.embedder = embedder;
        this.batching = batching;
        this.listener = listener;
        this.worker = new Thread(this::run, threadName);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues one text; the future completes when its window has run. */
    CompletableFuture<Embedder.Outcome> submit(TextInput input) {
        CompletableFuture<Embedder.Outcome> result = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                result.completeExceptionally(new CancellationException("the embedding function is closed"));
                return result;
            }
            queue.add(new Request(input, System.nanoTime(), result));
            if (queue.size() == 1 || queue.size() >= batching.windowSize()) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        return result;
    }

    private void run() {
        try {
            while (true) {
                List<Request> window = nextWindow();
                if (window == null) {
                    return;
                }
                embed(window);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a full window or the oldest request's deadline; null once closed. */
    private List<Request> nextWindow() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                if (queue.isEmpty()) {
                    changed.await();
                    continue;
                }
                long waitNanos = queue.peek().arrivedNanos() + TimeUnit.MILLISECONDS.toNanos(batching.maxWaitMillis())
                        - System.nanoTime();
                if (queue.size() >= batching.windowSize() || waitNanos <= 0) {
                    List<Request> window = new ArrayList<>(Math.min(queue.size(), batching.windowSize()));
                    while (!queue.isEmpty() && window.size() < batching.windowSize()) {
                        window.add(queue.poll());
                    }
                    return window;
                }
                changed.awaitNanos(waitNanos);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void embed(List<Request> window) {
        List<TextInput> inputs = new ArrayList<>(window.size());
        for (Request r : window) {
            inputs.add(r.input());
        }
        List<Embedder.Outcome> outcomes;
        try {
            outcomes = embedder.embedEach(inputs, listener);
        } catch (RuntimeException | Error fault) {
            // not one text's fault (the session, the machine, memory): fail the query
            window.forEach(r -> r.result().completeExceptionally(fault));
            if (fault instanceof Error error) {
                throw error;
            }
            return;
        }
        for (int i = 0; i < window.size(); i++) {
            window.get(i).result().complete(outcomes.get(i));
        }
    }

    /** Stops the thread (after the window it is embedding) and cancels queued requests. */
    @Override
    public void close() throws InterruptedException {
        List<Request> abandoned;
        lock.lock();
        try {
            closed = true;
            abandoned = new ArrayList<>(queue);
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        abandoned.forEach(r -> r.result().completeExceptionally(
                new CancellationException("the embedding function was closed")));
        worker.join(TimeUnit.SECONDS.toMillis(30));
    }
}
