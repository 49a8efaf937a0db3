package io.leafembed.job.sink;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The local run's sink: writes each JSON line to the {@link LineOutput} registered under its name
 * (a file, standard output or standard error) as soon as it arrives. Unlike Flink's collect sink
 * (behind {@code executeAndCollect}), which caps a record at 2 MiB, a line may be as long as the
 * record it holds. Only for the embedded MiniCluster, where the outputs live in the same JVM.
 */
public final class LineSink implements Sink<String> {

    private static final long serialVersionUID = 1L;

    private final String outputName;

    /** @param outputName the name the local run registered the output under */
    public LineSink(String outputName) {
        this.outputName = outputName;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        LineOutput output = LineOutput.registered(outputName);
        return new SinkWriter<>() {
            @Override
            public void write(String line, Context context) {
                output.writeRecord(line);
            }

            @Override
            public void flush(boolean endOfInput) {
                // every line is written when it arrives: nothing is buffered here
            }

            @Override
            public void close() {
                // the local run owns the output and closes it after the job
            }
        };
    }
}
