package io.leafembed.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

/** Which warnings {@link KnownNoiseFilter} drops: exactly the two known ones, nothing else. */
class KnownNoiseFilterTest {

    private final KnownNoiseFilter filter = KnownNoiseFilter.create();

    private static LogEvent event(String logger, Level level, String message, Throwable thrown) {
        return Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(level)
                .setMessage(new SimpleMessage(message)).setThrown(thrown).build();
    }

    private static LogEvent checkpointFailure(CheckpointFailureReason reason) {
        // as Flink logs it: the coordinator's exception, wrapping the task's
        CheckpointException fromTask = new CheckpointException(reason);
        return event(KnownNoiseFilter.CHECKPOINT_FAILURES, Level.WARN,
                "Failed to trigger or complete checkpoint 42 for job 0123. (0 consecutive failed attempts so far)",
                new CheckpointException(reason, fromTask));
    }

    private static LogEvent nameCollision(String scope) {
        return event(KnownNoiseFilter.METRIC_GROUPS, Level.WARN, "Name collision: Group already contains a Metric"
                + " with the name 'pendingCommittables'. Metric will not be reported." + scope, null);
    }

    @Test
    void aCheckpointDeclinedByAClosingTaskIsDropped() {
        assertThat(filter.filter(checkpointFailure(CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING)))
                .isEqualTo(Filter.Result.DENY);
    }

    @Test
    void aCheckpointRequestForAFinishedTaskIsDropped() {
        // as TaskExecutor.triggerCheckpoint refuses it once the task has left
        CheckpointException fromTask = new CheckpointException("TaskManager received a checkpoint request for unknown"
                + " task 1eec_cc71_0_0.", CheckpointFailureReason.TASK_CHECKPOINT_FAILURE);
        assertThat(filter.filter(event(KnownNoiseFilter.CHECKPOINT_FAILURES, Level.WARN,
                "Failed to trigger or complete checkpoint 7 for job 0123. (0 consecutive failed attempts so far)",
                new CheckpointException(CheckpointFailureReason.TASK_CHECKPOINT_FAILURE, fromTask))))
                .isEqualTo(Filter.Result.DENY);
        // the same reason for another cause is still logged
        assertThat(filter.filter(checkpointFailure(CheckpointFailureReason.TASK_CHECKPOINT_FAILURE)))
                .isEqualTo(Filter.Result.NEUTRAL);
    }

    @Test
    void otherCheckpointFailuresAreStillLogged() {
        assertThat(filter.filter(checkpointFailure(CheckpointFailureReason.CHECKPOINT_EXPIRED)))
                .isEqualTo(Filter.Result.NEUTRAL);
        assertThat(filter.filter(checkpointFailure(CheckpointFailureReason.CHECKPOINT_DECLINED)))
                .isEqualTo(Filter.Result.NEUTRAL);
        assertThat(filter.filter(event(KnownNoiseFilter.CHECKPOINT_FAILURES, Level.WARN, "no exception", null)))
                .isEqualTo(Filter.Result.NEUTRAL);
    }

    @Test
    void nameCollisionsOfTheConnectorsGroupsAreDroppedOthersKept() {
        assertThat(filter.filter(nameCollision("[, taskmanager, tm-1, leaf-embed, results to kafka: Committer, 0]")))
                .isEqualTo(Filter.Result.DENY);
        assertThat(filter.filter(nameCollision("[, taskmanager, tm-1, leaf-embed, dead letters to kafka: Writer, 1]")))
                .isEqualTo(Filter.Result.DENY);
        assertThat(filter.filter(nameCollision("[, taskmanager, tm-1, leaf-embed, Source: kafka source, 0]")))
                .isEqualTo(Filter.Result.DENY);
        assertThat(filter.filter(nameCollision("[, taskmanager, tm-1, leaf-embed, embed, 0, leafembed]")))
                .isEqualTo(Filter.Result.NEUTRAL);
    }

    @Test
    void otherLevelsAndLoggersPassUntouched() {
        assertThat(filter.filter(event(KnownNoiseFilter.METRIC_GROUPS, Level.ERROR,
                "Name collision: ... [results to kafka: Writer, 0]", null))).isEqualTo(Filter.Result.NEUTRAL);
        assertThat(filter.filter(event("io.leafembed.job.LocalRun", Level.WARN, "Name collision: x: Writer,", null)))
                .isEqualTo(Filter.Result.NEUTRAL);
    }
}
