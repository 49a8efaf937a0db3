package io.leafembed.job;

import io.leafembed.job.sink.DeadLetterEncoder;
import io.leafembed.job.sink.ResultEncoder;
import io.leafembed.job.source.RecordParser;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;

/**
 * Progress lines and a final summary for a Kafka job run with {@code java -jar}, like a local
 * run's: records in, embedded (with the current rate), dead letters. The counts are the job's
 * accumulators ({@link RecordParser#RECORDS_IN}, {@link ResultEncoder#EMBEDDED}, {@link
 * DeadLetterEncoder#DEAD_LETTERS}), which tasks report with their heartbeats, so a line can lag
 * the job by a few seconds; the summary is exact. A line is printed only when a count moved, so
 * an idle stream stays quiet.
 */
final class KafkaProgress {

    private static final long EVERY_MS = 5_000;

    private KafkaProgress() {}

    /** Waits for the job to end, printing progress; returns its result, or throws its failure. */
    static JobExecutionResult runAndReport(JobClient client, PrintStream log) throws Exception {
        return runAndReport(client, log, EVERY_MS);
    }

    /** As {@link #runAndReport(JobClient, PrintStream)}, asking every {@code everyMs}. */
    static JobExecutionResult runAndReport(JobClient client, PrintStream log, long everyMs) throws Exception {
        long start = System.nanoTime();
        long lastTime = start;
        long[] last = {0, 0, 0};
        var result = client.getJobExecutionResult();
        while (true) {
            try {
                JobExecutionResult done = result.get(everyMs, TimeUnit.MILLISECONDS);
                long[] total = counts(done.getAllAccumulatorResults());
                log.printf("leaf-embed: done: %,d records in, %,d embedded, %,d dead letters in %.1f s%n",
                        total[0], total[1], total[2], (System.nanoTime() - start) / 1e9);
                return done;
            } catch (TimeoutException stillRunning) {
                long[] now;
                try {
                    now = counts(client.getAccumulators().get(everyMs, TimeUnit.MILLISECONDS));
                } catch (TimeoutException | ExecutionException | IllegalStateException e) {
                    // the job is starting or ending (an embedded MiniCluster that shut down after the
                    // job ended throws IllegalStateException at once): the next round asks again
                    continue;
                }
                long time = System.nanoTime();
                if (now[0] != last[0] || now[1] != last[1] || now[2] != last[2]) {
                    log.printf("leaf-embed: %,d records in, %,d embedded (%.0f/s), %,d dead letters%n", now[0], now[1],
                            (now[1] - last[1]) / ((time - lastTime) / 1e9), now[2]);
                    last = now;
                    lastTime = time;
                }
            }
        }
    }

    private static long[] counts(Map<String, Object> accumulators) {
        return new long[] {count(accumulators, RecordParser.RECORDS_IN), count(accumulators, ResultEncoder.EMBEDDED),
            count(accumulators, DeadLetterEncoder.DEAD_LETTERS)};
    }

    private static long count(Map<String, Object> accumulators, String name) {
        Object value = accumulators.get(name);
        return value instanceof Number ? ((Number) value).longValue() : 0;
    }
}
