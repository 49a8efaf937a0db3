package io.leafembed.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.job.config.CommandLine;
import io.leafembed.job.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the checkpoint to resume from, and what is kept, in a checkpoint directory laid out as Flink does. */
class RetainedCheckpointsTest {

    private static final String OLD_RUN = "0123456789abcdef0123456789abcdef";
    private static final String NEW_RUN = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path dir;

    private Path checkpoint(String run, int n, long secondsAgo, boolean completed) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(run).resolve("chk-" + n));
        if (completed) {
            Path metadata = Files.write(chk.resolve("_metadata"), new byte[] {1});
            Files.setLastModifiedTime(metadata, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
        }
        return chk;
    }

    private String prepare(Configuration flink) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RetainedCheckpoints.prepare(flink, dir.toString(), new PrintStream(log, true, StandardCharsets.UTF_8));
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void resumesFromTheNewestCompletedCheckpointOfAnyEarlierRunAndDropsOlderRuns() throws Exception {
        checkpoint(OLD_RUN, 41, 100, true);
        checkpoint(OLD_RUN, 42, 90, true);
        // the run restored from chk-42 numbers on from 43; its newest completed checkpoint is 45
        checkpoint(NEW_RUN, 44, 20, true);
        Path newest = checkpoint(NEW_RUN, 45, 10, true);
        checkpoint(NEW_RUN, 46, 0, false); // killed while writing it: no _metadata
        Files.createDirectories(dir.resolve(NEW_RUN).resolve("shared"));
        Files.createDirectories(dir.resolve("not-a-flink-run"));

        Configuration flink = new Configuration();
        String log = prepare(flink);

        assertThat(flink.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(newest.toUri().toString());
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(dir.toUri().toString());
        assertThat(flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(flink.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isEqualTo(RetainedCheckpoints.RETAINED);
        assertThat(log).contains("resuming from checkpoint 45 in " + dir).contains("delete that directory");
        assertThat(dir.resolve(OLD_RUN)).doesNotExist();
        assertThat(newest).isDirectory();
        assertThat(dir.resolve("not-a-flink-run")).isDirectory(); // only Flink's run directories are removed
    }

    @Test
    void theNewestCompletionWinsOverAHigherNumberFromAnEarlierRun() throws Exception {
        // a run that started over from checkpoint 1 after an older run reached 90
        checkpoint(OLD_RUN, 90, 100, true);
        Path restarted = checkpoint(NEW_RUN, 2, 5, true);
        assertThat(RetainedCheckpoints.latest(dir)).get().extracting(RetainedCheckpoints.Checkpoint::dir)
                .isEqualTo(restarted);
    }

    @Test
    void aNewOrEmptyDirectoryStartsFreshAndKeepsNothingOld() throws Exception {
        checkpoint(OLD_RUN, 3, 10, false);
        Configuration flink = new Configuration();
        String log = prepare(flink);
        assertThat(flink.contains(StateRecoveryOptions.SAVEPOINT_PATH)).isFalse();
        assertThat(log).contains("no earlier checkpoint in " + dir);
        assertThat(dir.resolve(OLD_RUN)).doesNotExist();

        Configuration fresh = new Configuration();
        RetainedCheckpoints.prepare(fresh, dir.resolve("never-used").toString(), new PrintStream(new ByteArrayOutputStream()));
        assertThat(fresh.contains(StateRecoveryOptions.SAVEPOINT_PATH)).isFalse();
    }

    @Test
    void aRestorePathTheUserGaveWinsAndFlinkSettingsAreKept() throws Exception {
        checkpoint(OLD_RUN, 7, 10, true);
        Configuration flink = new Configuration();
        flink.set(StateRecoveryOptions.SAVEPOINT_PATH, "/savepoints/savepoint-1");
        flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 10);
        prepare(flink);
        assertThat(flink.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo("/savepoints/savepoint-1");
        assertThat(flink.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isEqualTo(10);
        assertThat(dir.resolve(OLD_RUN)).isDirectory();
    }

    @Test
    void aFinishedRunLeavesNoRunToResumeFrom() throws Exception {
        checkpoint(OLD_RUN, 7, 10, true); // the run a finished bounded run had resumed from
        Files.createDirectories(dir.resolve("not-a-flink-run"));
        RetainedCheckpoints.finished(dir.toString(), new PrintStream(new ByteArrayOutputStream()));
        assertThat(RetainedCheckpoints.latest(dir)).isEmpty();
        assertThat(dir.resolve("not-a-flink-run")).isDirectory();
    }

    @Test
    void theDefaultDirectoryIsNamedAfterTheSinkTopicAndTheGroup() {
        JobConfig config = CommandLine.parse(new String[] {"--kafka.bootstrap-servers", "b:9092",
            "--kafka.source.topics", "texts", "--kafka.sink.topic", "vectors", "--kafka.source.group-id", "team/a"})
                .config();
        assertThat(config.checkpointDir()).startsWith(Path.of("leaf-embed-state", "vectors@team_a-").toString());
        JobConfig plain = CommandLine.parse(new String[] {"--kafka.bootstrap-servers", "b:9092",
            "--kafka.source.topics", "texts", "--kafka.sink.topic", "vectors"}).config();
        assertThat(plain.checkpointDir()).isEqualTo(Path.of("leaf-embed-state", "vectors@leaf-embed").toString());
        assertThat(RetainedCheckpoints.localPath("s3://bucket/cp")).isEmpty();
        assertThat(RetainedCheckpoints.localPath("file:///var/cp")).contains(Path.of("/var/cp"));
    }

    @Test
    void aDirectoryIsOneRunningJobs() {
        Path own = dir.resolve("claimed");
        RetainedCheckpoints.claim(own.toString(), "vectors@leaf-embed");
        // a second run of the same job while the first lives (here: the same JVM holds the lock)
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> RetainedCheckpoints.claim(own.toString(), "vectors@leaf-embed"))
                .hasMessageContaining("another leaf-embed process is running with 'runtime.checkpoint-dir'");
        // another job's checkpoints are never resumed from
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> RetainedCheckpoints.claim(own.toString(), "other-topic@team"))
                .hasMessageContaining("holds the checkpoints of another job (vectors@leaf-embed");
    }
}
