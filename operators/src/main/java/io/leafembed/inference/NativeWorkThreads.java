package io.leafembed.inference;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stops the threads that call into a native ONNX Runtime session (the Embedder's run threads, the
 * operator's window thread) and waits until they have ended, whatever interrupts arrive meanwhile:
 * a native run does not stop when interrupted, and closing the session under it crashes the JVM,
 * so the owner may close the session only after this returns. Interrupts are kept for the caller.
 */
public final class NativeWorkThreads {

    private NativeWorkThreads() {}

    /** Interrupts {@code threads}, then waits until they have ended (a run or window takes seconds). */
    public static void stopAndAwait(ExecutorService threads) {
        threads.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                threads.awaitTermination(10, TimeUnit.MINUTES);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
