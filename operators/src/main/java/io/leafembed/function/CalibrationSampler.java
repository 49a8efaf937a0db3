package io.leafembed.function;

/**
 * Decides which embeddings of one embedding subtask go to the {@link RangeCalibrator}, so that
 * the calibrator gets the vectors its sample still needs and nothing more once it is full.
 *
 * <p>A subtask sends its first {@code ceil(size / parallelism)} embeddings (its share: with even
 * input the subtasks fill the sample together, and then stop). Because a subtask cannot see the
 * others, and some may get no input at all (more subtasks than source partitions), it then keeps
 * sending one in every {@code parallelism} embeddings until it has sent {@code size} in all: the
 * sample fills even from a single busy subtask, and the traffic stays bounded (at most {@code
 * size} vectors per subtask, ever). The calibrator ignores what arrives after the sample is full.
 */
final class CalibrationSampler {

    private final int sampleSize;
    private final int parallelism;
    private final int share;
    private long sent;
    private long seenAfterShare;

    /** @param alreadySent vectors this subtask counts as sent (from a restore) */
    CalibrationSampler(int sampleSize, int parallelism, long alreadySent) {
        if (sampleSize < 1 || parallelism < 1) {
            throw new IllegalArgumentException("sample size and parallelism must be positive but were "
                    + sampleSize + " and " + parallelism);
        }
        this.sampleSize = sampleSize;
        this.parallelism = parallelism;
        this.share = (sampleSize + parallelism - 1) / parallelism;
        this.sent = Math.min(alreadySent, sampleSize);
    }

    /**
     * What a restored subtask counts as sent, given the counts all subtasks checkpointed (union
     * state): everything if the job as a whole sent a full sample (the calibrator, restored from
     * the same checkpoint, then has it), else an even part of the total.
     */
    static long restoredSent(Iterable<Long> checkpointed, int sampleSize, int parallelism) {
        long total = 0;
        for (long n : checkpointed) {
            total += n;
        }
        return total >= sampleSize ? sampleSize : total / parallelism;
    }

    /** Whether the next embedding should be sent; counts it as sent if so. */
    boolean take() {
        if (sent >= sampleSize) {
            return false;
        }
        if (sent < share || seenAfterShare++ % parallelism == 0) {
            sent++;
            return true;
        }
        return false;
    }

    /** Vectors sent so far (what this subtask checkpoints). */
    long sent() {
        return sent;
    }

    /** Whether this subtask will send nothing more. */
    boolean done() {
        return sent >= sampleSize;
    }
}
