package io.leafembed.inference;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the threads that call into a native ONNX Runtime session (the Embedder's run threads, the
 * operator's window thread) and waits until they have ended, whatever interrupts arrive meanwhile:
 * a native run does not stop when interrupted, and closing the session under it crashes the JVM,
 * so the owner may close the session only after this returns. Interrupts are kept for the caller.
 */
public final class NativeWorkThreads {

    private static final Logger LOG = LoggerFactory.getLogger(NativeWorkThreads.class);

    private NativeWorkThreads() {}

    /** Interrupts {@code threads}, then waits until they have ended (a run or window takes seconds). */
    public static void stopAndAwait(ExecutorService threads) {
        threads.shutdownNow();
        boolean interrupted = false;
        long started = System.nanoTime();
        while (true) {
            try {
                if (threads.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
                // never give up: closing the session under a run that is still going crashes the JVM
                LOG.warn("Still waiting, after {} s, for ONNX Runtime work to end before its session closes",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
