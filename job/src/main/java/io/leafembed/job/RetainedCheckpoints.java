package io.leafembed.job;

import io.leafembed.job.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;

/**
 * The checkpoints a Kafka job run with {@code java -jar} keeps in its checkpoint directory, so
 * that the same command started after a crash (kill -9, power loss, reboot) resumes where the
 * last completed checkpoint left off instead of starting from the consumer group's offsets,
 * which lag the committed results and would duplicate them.
 *
 * <p>Flink writes {@code <dir>/<flink job id>/chk-<n>/_metadata} (the metadata file is written
 * last, so a checkpoint without it never completed). Checkpoints are retained when the job is
 * cancelled or dies ({@code RETAIN_ON_CANCELLATION}); when a bounded job finishes, Flink deletes
 * its own and {@link #finished} removes any earlier run's. At start this class finds the newest completed checkpoint of any earlier run in the
 * directory and restores from it ({@code execution.state-recovery.path}, NO_CLAIM mode: the old
 * run's files are only read), and deletes the directories of earlier runs that hold nothing
 * newer, so a job restarted many times keeps at most two runs' few checkpoints.
 */
final class RetainedCheckpoints {

    /** Checkpoints each run keeps: the newest, plus spares should it turn out unreadable. */
    static final int RETAINED = 3;

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
    /** Flink's job ids in hex: the only directories this class ever deletes. */
    private static final Pattern JOB_DIR = Pattern.compile("[0-9a-f]{32}");

    /** A completed checkpoint: its chk-n directory, number and completion time. */
    record Checkpoint(Path dir, long number, FileTime completed) {}

    private RetainedCheckpoints() {}

    /** The file naming the job whose checkpoints a directory holds. */
    static final String OWNER_FILE = "leaf-embed-job.txt";

    /** Held until the process exits: the lock that keeps a second run out of the directory. */
    private static FileLock held;

    /**
     * Makes {@code checkpointDir} this process's for the rest of its life: refuses a directory
     * another running process holds (two runs of one job would fence each other's transactions,
     * read the same offsets and write records twice) or one that holds another job's checkpoints
     * (resuming from them would read that job's topics at its offsets). {@code job} identifies
     * the job (its sink topic and consumer group). Only for local directories.
     *
     * @throws ConfigException naming runtime.checkpoint-dir and the fix
     */
    static void claim(String checkpointDir, String job) {
        Optional<Path> local = localPath(checkpointDir);
        if (local.isEmpty()) {
            return;
        }
        Path dir = local.get().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            Path owner = dir.resolve(OWNER_FILE);
            if (Files.exists(owner)) {
                String existing = Files.readString(owner, StandardCharsets.UTF_8).trim();
                if (!existing.equals(job)) {
                    throw new ConfigException("'runtime.checkpoint-dir' " + dir + " holds the checkpoints of another"
                            + " job (" + existing + "; this one is " + job + "): resuming from them would read that"
                            + " job's topics at its offsets; give this job its own runtime.checkpoint-dir");
                }
            } else {
                Files.writeString(owner, job + "\n", StandardCharsets.UTF_8);
            }
            FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already
            }
            if (lock == null) {
                channel.close();
                throw new ConfigException("another leaf-embed process is running with 'runtime.checkpoint-dir' " + dir
                        + ": two runs of one job would fence each other's Kafka transactions and write records"
                        + " twice; stop the other run first (or give this one its own runtime.checkpoint-dir and"
                        + " kafka.source.group-id)");
            }
            held = lock;
        } catch (IOException e) {
            throw new ConfigException("'runtime.checkpoint-dir' " + dir + " cannot be used: " + e);
        }
    }

    /**
     * Points {@code flink} at {@code checkpointDir} with retained checkpoints and, unless the user
     * gave {@code execution.state-recovery.path} themselves, at the newest completed checkpoint
     * there. Tells {@code log} what it decided.
     */
    static void prepare(Configuration flink, String checkpointDir, PrintStream log) {
        Optional<Path> local = localPath(checkpointDir);
        Path dir = local.map(p -> p.toAbsolutePath().normalize()).orElse(null);
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir != null ? dir.toUri().toString() : checkpointDir);
        retainOnCancellation(flink);
        if (flink.contains(StateRecoveryOptions.SAVEPOINT_PATH)) {
            log.println("leaf-embed: checkpoints go to " + (dir != null ? dir : checkpointDir) + "; restoring from "
                    + flink.get(StateRecoveryOptions.SAVEPOINT_PATH) + " (flink.execution.state-recovery.path)");
            return;
        }
        if (dir == null) {
            log.println("leaf-embed: checkpoints go to " + checkpointDir + "; not a local directory, so this run"
                    + " does not look for one to resume from (set flink.execution.state-recovery.path)");
            return;
        }
        Optional<Checkpoint> latest = latest(dir);
        if (latest.isPresent()) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get().dir().toUri().toString());
            if (flink.get(StateRecoveryOptions.RESTORE_MODE) == RecoveryClaimMode.NO_CLAIM) {
                // the new run's first checkpoint is a full one: earlier runs' files are not needed then
                removeOtherRuns(dir, latest.get().dir().getParent());
            }
            log.println("leaf-embed: resuming from checkpoint " + latest.get().number() + " in " + dir
                    + " (to start over instead, stop the job and delete that directory)");
        } else {
            removeOtherRuns(dir, null);
            log.println("leaf-embed: no earlier checkpoint in " + dir + ": starting fresh (a Kafka job from"
                    + " kafka.source.starting-offsets); checkpoints go there");
        }
    }

    /**
     * After a bounded run finished: Flink has deleted that run's checkpoints, but the earlier run
     * it resumed from still has its own, and resuming from those later would repeat what this run
     * committed. Removes every run directory, so the next start begins at the group's offsets.
     */
    static void finished(String checkpointDir, PrintStream log) {
        localPath(checkpointDir).map(p -> p.toAbsolutePath().normalize()).ifPresent(dir -> {
            removeOtherRuns(dir, null);
            log.println("leaf-embed: finished; no checkpoint kept in " + dir
                    + " (the next start begins at kafka.source.starting-offsets)");
        });
    }

    /** On a cluster: checkpoints to {@code checkpointDir}, retained; restoring is the cluster's business. */
    static void retainIn(Configuration flink, String checkpointDir) {
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, localPath(checkpointDir)
                .map(p -> p.toAbsolutePath().normalize().toUri().toString()).orElse(checkpointDir));
        retainOnCancellation(flink);
    }

    private static void retainOnCancellation(Configuration flink) {
        if (!flink.contains(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)) {
            flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if (!flink.contains(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)) {
            flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, RETAINED);
        }
    }

    /** A plain path or a file: URI as a local path; empty for other file systems (s3://, hdfs://). */
    static Optional<Path> localPath(String dir) {
        if (dir.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !dir.matches("^[A-Za-z]:[\\\\/].*")) {
            URI uri = URI.create(dir);
            return "file".equals(uri.getScheme()) ? Optional.of(Path.of(uri.getPath())) : Optional.empty();
        }
        return Optional.of(Path.of(dir));
    }

    /**
     * The newest completed checkpoint under {@code dir} ({@code dir/<job>/chk-n/_metadata}, or
     * {@code dir/chk-n/_metadata} when Flink's sub-directories are turned off): the most recently
     * written metadata, the highest number on a tie.
     */
    static Optional<Checkpoint> latest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Checkpoint> found = new ArrayList<>();
        collect(dir, found);
        for (Path child : list(dir)) {
            if (Files.isDirectory(child)) {
                collect(child, found);
            }
        }
        return found.stream().max(Comparator.comparing(Checkpoint::completed).thenComparingLong(Checkpoint::number));
    }

    private static void collect(Path parent, List<Checkpoint> out) {
        for (Path child : list(parent)) {
            Matcher m = CHECKPOINT.matcher(child.getFileName().toString());
            Path metadata = child.resolve("_metadata");
            if (m.matches() && Files.isRegularFile(metadata)) {
                try {
                    out.add(new Checkpoint(child, Long.parseLong(m.group(1)), Files.getLastModifiedTime(metadata)));
                } catch (IOException e) {
                    // vanished or unreadable while looking: not a checkpoint to resume from
                }
            }
        }
    }

    /** Deletes {@code dir}'s run directories (Flink job ids) other than {@code keep}. */
    private static void removeOtherRuns(Path dir, Path keep) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        for (Path child : list(dir)) {
            if (Files.isDirectory(child) && JOB_DIR.matcher(child.getFileName().toString()).matches()
                    && !child.equals(keep)) {
                deleteRecursively(child);
            }
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoint directory " + dir, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                return;
            } catch (IOException | UncheckedIOException e) {
                // Flink may be deleting a finished run's files at the same time: look again
                if (!Files.exists(dir)) {
                    return;
                }
            }
        }
        // an earlier run's leftovers only cost disk space; never fail the job over them
        System.err.println("leaf-embed: could not remove old checkpoints in " + dir);
    }
}
