package io.leafembed.job.source;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;

/**
 * A bounded KafkaSource that also ends after a restore. flink-connector-kafka 5.0's enumerator
 * tells readers "no more splits" only when its one-time partition discovery found new
 * partitions; restored from a checkpoint it finds none (they are all in its state), so the
 * readers reach their stopping offsets and then wait forever (FLINK-31006 / FLINK-33466, open
 * upstream). A {@code java -jar} backfill restarted after a crash would never exit.
 *
 * <p>This wraps the restored enumerator's context: when that discovery's result handler
 * returns without scheduling split initialization (the "nothing new" case), it signals no more
 * splits to every registered reader, and to readers that register later. When discovery does find
 * new partitions, the connector's own path assigns them and signals, and this does nothing.
 * Everything else, including the checkpointed state format, is the KafkaSource's own.
 */
public final class RestorableBoundedSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final KafkaSource<T> source;

    public RestorableBoundedSource(KafkaSource<T> source) {
        this.source = source;
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        return source.createReader(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
        if (source.getBoundedness() != Boundedness.BOUNDED || !state.initialDiscoveryFinished()) {
            // unbounded sources never signal; before its first discovery the connector signals itself
            return source.restoreEnumerator(context, state);
        }
        SignallingContext signalling = new SignallingContext(context);
        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restored =
                source.restoreEnumerator(signalling, state);
        return new Enumerator(restored, signalling);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return source.getProducedType();
    }

    /** The restored enumerator, plus the signal to readers that register after discovery. */
    private static final class Enumerator implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {

        private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate;
        private final SignallingContext context;

        Enumerator(SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate, SignallingContext context) {
            this.delegate = delegate;
            this.context = context;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            delegate.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
            delegate.addSplitsBack(splits, subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            delegate.addReader(subtaskId); // assigns the reader's pending splits first
            if (context.noMoreSplits) {
                context.signalNoMoreSplits(subtaskId);
            }
        }

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
            delegate.handleSourceEvent(subtaskId, sourceEvent);
        }

        @Override
        public void close() throws java.io.IOException {
            delegate.close();
        }
    }

    /**
     * The enumerator's context, watching its first asynchronous call (the one-time partition
     * discovery): if the result handler schedules no further call, discovery found nothing new.
     */
    private static final class SignallingContext implements SplitEnumeratorContext<KafkaPartitionSplit> {

        private final SplitEnumeratorContext<KafkaPartitionSplit> delegate;
        private int calls;
        /** Set in the coordinator thread, like every enumerator call. */
        private boolean noMoreSplits;

        SignallingContext(SplitEnumeratorContext<KafkaPartitionSplit> delegate) {
            this.delegate = delegate;
        }

        @Override
        public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler) {
            int call = ++calls;
            delegate.callAsync(callable, (result, error) -> {
                int before = calls;
                handler.accept(result, error);
                if (call == 1 && error == null && calls == before) {
                    noMoreSplits = true;
                    delegate.registeredReaders().keySet().forEach(delegate::signalNoMoreSplits);
                }
            });
        }

        @Override
        public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler, long initialDelay,
                long period) {
            calls++; // periodic discovery: the source is not bounded in the sense handled here
            delegate.callAsync(callable, handler, initialDelay, period);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return delegate.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            delegate.sendEventToSourceReader(subtaskId, event);
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
            delegate.sendEventToSourceReader(subtaskId, attemptNumber, event);
        }

        @Override
        public int currentParallelism() {
            return delegate.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return delegate.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return delegate.registeredReadersOfAttempts();
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> newSplitAssignments) {
            delegate.assignSplits(newSplitAssignments);
        }

        @Override
        public void assignSplit(KafkaPartitionSplit split, int subtask) {
            delegate.assignSplit(split, subtask);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            delegate.signalNoMoreSplits(subtask);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            delegate.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            delegate.setIsProcessingBacklog(isProcessingBacklog);
        }
    }
}
