package io.leafembed.job;

import java.util.Locale;

/**
 * The local run's progress line, at most once per interval: how many records were embedded and
 * dead-lettered so far and the current rate (since the previous line, or since the first result,
 * so the model's start-up does not count). Nothing during the first interval (a short input
 * finishes silently), and nothing when no record was written since the previous line (an idle
 * standard input does not repeat itself).
 */
final class Progress {

    private static final long MIN_RATE_SPAN_NANOS = 1_000_000_000L;

    private final long intervalNanos;
    private long nextNanos;
    private long lastNanos;
    private long lastEmbedded;
    private long lastDeadLetters;

    Progress(long startNanos, long intervalNanos) {
        this.intervalNanos = intervalNanos;
        this.nextNanos = startNanos + intervalNanos;
    }

    /** When {@link #line} may next return a line. */
    long nextNanos() {
        return nextNanos;
    }

    /**
     * The line to print at {@code now}, or null.
     *
     * @param firstResultNanos when the first record was written, 0 if none yet
     */
    String line(long now, long embedded, long deadLetters, long firstResultNanos) {
        if (now < nextNanos) {
            return null;
        }
        nextNanos = now + intervalNanos;
        if (embedded == lastEmbedded && deadLetters == lastDeadLetters) {
            return null;
        }
        long span = now - Math.max(lastNanos, firstResultNanos);
        String rate = span >= MIN_RATE_SPAN_NANOS
                ? String.format(Locale.ROOT, " (%,.0f/s now)", (embedded - lastEmbedded) / (span / 1e9))
                : "";
        lastNanos = now;
        lastEmbedded = embedded;
        lastDeadLetters = deadLetters;
        return String.format(Locale.ROOT, "leaf-embed: %,d embedded%s, %,d dead letters", embedded, rate, deadLetters);
    }
}
