package io.leafembed.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;

/**
 * The end of a bounded Kafka run under {@code java -jar}: the embedded MiniCluster shuts down as
 * soon as the job ends, and asking it for accumulators then throws at once. Seen once at the end
 * of a benchmark run, where it turned a finished job into exit 1.
 */
class KafkaProgressTest {

    @Test
    void aClusterThatShutDownBetweenTwoPollsStillYieldsTheJobsResult() throws Exception {
        JobID id = new JobID();
        CompletableFuture<JobExecutionResult> result = new CompletableFuture<>();
        AtomicInteger asked = new AtomicInteger();
        JobClient client = new JobClient() {
            @Override
            public JobID getJobID() {
                return id;
            }

            @Override
            public CompletableFuture<JobStatus> getJobStatus() {
                return CompletableFuture.completedFuture(JobStatus.FINISHED);
            }

            @Override
            public CompletableFuture<Void> cancel() {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<String> stopWithSavepoint(boolean drain, String dir, SavepointFormatType type) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<String> triggerSavepoint(String dir, SavepointFormatType type) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Map<String, Object>> getAccumulators() {
                asked.incrementAndGet();
                // the job ended while the progress loop waited: its result is there, the cluster gone
                result.complete(new JobExecutionResult(id, 1_000, Map.of()));
                throw new IllegalStateException("MiniCluster is not yet running or has already been shut down.");
            }

            @Override
            public CompletableFuture<JobExecutionResult> getJobExecutionResult() {
                return result;
            }
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JobExecutionResult done = KafkaProgress.runAndReport(client, new PrintStream(log, true, StandardCharsets.UTF_8), 50);
        assertThat(done.getJobID()).isEqualTo(id);
        assertThat(asked).hasValue(1);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("leaf-embed: done: 0 records in, 0 embedded");
    }
}
