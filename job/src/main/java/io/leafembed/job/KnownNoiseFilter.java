package io.leafembed.job;

import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * Drops two warnings that every {@code java -jar} Kafka run printed and that say nothing about
 * the user's job, while keeping the rest of those loggers' warnings:
 *
 * <ul>
 *   <li>{@code CheckpointFailureManager} "Failed to trigger or complete checkpoint" when the
 *       reason is {@link CheckpointFailureReason#CHECKPOINT_DECLINED_TASK_CLOSING}: at the end of
 *       a bounded run a task that has passed its final checkpoint is shutting down while the
 *       coordinator still counts it as running, so the next periodic checkpoint reaches it and
 *       is declined (or, when the task has already left, refused as "for unknown task"); the
 *       following one completes. Any other checkpoint failure is still logged.
 *   <li>{@code MetricGroup} "Name collision" in the groups of Flink's sink writers and committers
 *       and of the Kafka source: the sink committer registers its {@code pendingCommittables}
 *       gauge again for every checkpoint's copy of its state, and the Kafka connector registers
 *       each new producer's and consumer's client metrics again in the same group (hundreds of
 *       lines per run, about metrics that are reported anyway). Collisions elsewhere (the job's
 *       own {@code leafembed} metrics) are still logged.
 * </ul>
 *
 * <p>Installed programmatically on the embedded run's log4j configuration (a log4j plugin would
 * need a plugin cache merged into the shaded jar); a cluster keeps its own logging.
 */
final class KnownNoiseFilter extends AbstractFilter {

    static final String CHECKPOINT_FAILURES = "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";
    static final String METRIC_GROUPS = "org.apache.flink.metrics.MetricGroup";

    private KnownNoiseFilter() {
        super(Filter.Result.DENY, Filter.Result.NEUTRAL);
    }

    /** Adds the filter to the two loggers' configurations (declared in log4j2.properties). */
    static void install() {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return; // another logging backend: nothing to filter
        }
        Configuration config = context.getConfiguration();
        KnownNoiseFilter filter = new KnownNoiseFilter();
        for (String logger : new String[] {CHECKPOINT_FAILURES, METRIC_GROUPS}) {
            LoggerConfig loggerConfig = config.getLoggerConfig(logger);
            if (loggerConfig.getName().equals(logger)) { // never filter a parent (the root) by mistake
                loggerConfig.addFilter(filter);
            }
        }
        context.updateLoggers();
    }

    /** The filter alone, for tests. */
    static KnownNoiseFilter create() {
        return new KnownNoiseFilter();
    }

    @Override
    public Result filter(LogEvent event) {
        if (event.getLevel() != Level.WARN) {
            return onMismatch;
        }
        String logger = event.getLoggerName();
        if (CHECKPOINT_FAILURES.equals(logger)) {
            return declinedByClosingTask(event.getThrown()) ? onMatch : onMismatch;
        }
        if (METRIC_GROUPS.equals(logger)) {
            String message = event.getMessage().getFormattedMessage();
            return message.startsWith("Name collision") && inConnectorGroup(message) ? onMatch : onMismatch;
        }
        return onMismatch;
    }

    private static boolean declinedByClosingTask(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CheckpointException e && (e.getCheckpointFailureReason()
                    == CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING || finishedTask(e))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The same race one step later, seen on a loaded machine: the task has already finished and
     * left the TaskManager when the checkpoint request arrives.
     */
    private static boolean finishedTask(CheckpointException e) {
        return e.getCheckpointFailureReason() == CheckpointFailureReason.TASK_CHECKPOINT_FAILURE
                && String.valueOf(e.getMessage()).contains("received a checkpoint request for unknown task");
    }

    /** The message ends with the group's scope, e.g. {@code [..., results to kafka: Writer, 0]}. */
    private static boolean inConnectorGroup(String message) {
        return message.contains(": Writer,") || message.contains(": Committer,")
                || message.contains(KafkaRun.SOURCE_NAME) || message.contains("KafkaSourceReader");
    }
}
