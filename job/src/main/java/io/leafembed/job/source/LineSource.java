package io.leafembed.job.source;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The local run's source: the lines of one file or of standard input ({@code -}), numbered from
 * 1 by {@link LineReader}, emitted as they arrive. Bounded: it ends at the end of the file or
 * when standard input is closed, and until then a slow producer ({@code tail -f app.log |}) has
 * each line embedded within the batching window's max wait, not at EOF.
 *
 * <p>One split, read by one reader (run the source at parallelism 1). It reads the process's own
 * standard input, so it is meant for the embedded MiniCluster of {@code java -jar}; it keeps no
 * state (a pipe cannot be read twice), and the local run does not restart.
 */
public final class LineSource implements Source<RawRecord, LineSource.Split, Void> {

    private static final long serialVersionUID = 1L;

    /** The input name that means standard input. */
    public static final String STANDARD_INPUT = "-";

    private final String input;
    private final long maxLineBytes;

    /**
     * @param input a file path, or {@code -} for standard input
     * @param maxLineBytes longer lines are cut and carry their problem (see {@link LineReader})
     */
    public LineSource(String input, long maxLineBytes) {
        this.input = input;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<RawRecord, Split> createReader(SourceReaderContext context) {
        return new LineSourceReader(context, maxLineBytes);
    }

    @Override
    public SplitEnumerator<Split, Void> createEnumerator(SplitEnumeratorContext<Split> context) {
        return new OneSplitEnumerator(context, new Split(input));
    }

    @Override
    public SplitEnumerator<Split, Void> restoreEnumerator(SplitEnumeratorContext<Split> context, Void checkpoint) {
        return createEnumerator(context);
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new NoStateSerializer();
    }

    /** The one split: what to read. */
    public record Split(String input) implements SourceSplit {
        @Override
        public String splitId() {
            return "lines";
        }
    }

    /** Hands the split to the first reader that asks, and tells every reader there is no more. */
    private static final class OneSplitEnumerator implements SplitEnumerator<Split, Void> {
        private final SplitEnumeratorContext<Split> context;
        private final Split split;
        private boolean assigned;

        OneSplitEnumerator(SplitEnumeratorContext<Split> context, Split split) {
            this.context = context;
            this.split = split;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            if (!assigned) {
                context.assignSplit(split, subtaskId);
                assigned = true;
            }
            context.signalNoMoreSplits(subtaskId);
        }

        @Override
        public void addSplitsBack(List<Split> splits, int subtaskId) {
            assigned = false;
        }

        @Override
        public void addReader(int subtaskId) {}

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    private static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split split) {
            return split.input().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Split deserialize(int version, byte[] serialized) {
            return new Split(new String(serialized, StandardCharsets.UTF_8));
        }
    }

    private static final class NoStateSerializer implements SimpleVersionedSerializer<Void> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Void state) {
            return new byte[0];
        }

        @Override
        public Void deserialize(int version, byte[] serialized) {
            return null;
        }
    }
}
