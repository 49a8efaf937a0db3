package io.leafembed.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineOutputTest {

    @TempDir
    Path tmp;

    @Test
    void writesWholeLinesOfAnySizeAndCountsRecordsOnly() throws Exception {
        Path file = tmp.resolve("out.jsonl");
        LineOutput out = LineOutput.file(file);
        String big = "x".repeat(5 << 20); // over the 2 MiB of Flink's collect sink
        out.writeRecord("{\"a\":1}");
        out.writeMessage("not a record");
        out.writeRecord(big);
        // written when written: nothing waits in a buffer
        assertThat(Files.size(file)).isEqualTo(8 + 13 + big.length() + 1);
        assertThat(out.finish(1000)).isTrue();
        assertThat(out.records()).isEqualTo(2);
        assertThat(out.firstRecordNanos()).isPositive();
        assertThat(Files.readAllLines(file)).containsExactly("{\"a\":1}", "not a record", big);
        assertThat(out.failure()).isEmpty();
    }

    @Test
    void aFullDeviceIsAFailureNotAnExceptionAndLaterLinesAreDropped() throws Exception {
        LineOutput out = LineOutput.file(Path.of("/dev/full"));
        out.writeRecord("{}");
        assertThat(out.failed()).isDone();
        assertThat(out.failure().orElseThrow()).hasMessageContaining("No space left on device");
        assertThat(out.closedPipe()).isFalse();
        out.writeRecord("{}");
        assertThat(out.records()).isZero();
    }

    @Test
    void aPipeWhoseReaderWentAwayIsAClosedPipe() throws Exception {
        // a reader that closes its end of the pipe and stays alive (as `head -1` after its line)
        Process reader = new ProcessBuilder("sh", "-c", "exec 0<&-; echo closed; sleep 30").start();
        try {
            assertThat(new String(reader.getInputStream().readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("closed\n");
            LineOutput out = new LineOutput("a pipe", reader.getOutputStream(), true);
            // bigger than the process stream's buffer, so it reaches the pipe
            out.writeRecord("x".repeat(100_000));
            assertThat(out.closedPipe()).as(String.valueOf(out.failure())).isTrue();
        } finally {
            reader.destroyForcibly();
        }
    }

    @Test
    void finishWaitsForTheLineBeingWrittenThenRefusesRecordsButNotMessages() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b) {
                writing.countDown();
                try {
                    release.await(); // a slow reader: the line is half way out
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.write(b, 0, b.length);
            }
        };
        LineOutput out = new LineOutput("memory", bytes, false);
        Thread writer = new Thread(() -> out.writeRecord("{\"whole\":true}"));
        writer.start();
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        Thread finisher = new Thread(() -> out.finish(10_000));
        finisher.start();
        Thread.sleep(100);
        assertThat(finisher.isAlive()).as("finish waits for the line").isTrue();
        release.countDown();
        finisher.join(10_000);
        writer.join(10_000);
        out.writeRecord("{\"after\":true}");
        out.writeMessage("interrupted");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("{\"whole\":true}\ninterrupted\n");
    }
}
