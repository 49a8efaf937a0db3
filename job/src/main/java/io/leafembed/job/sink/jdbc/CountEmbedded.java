package io.leafembed.job.sink.jdbc;

import io.leafembed.function.EmbedResult;
import io.leafembed.job.sink.ResultEncoder;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Counts the embedded records handed to the PostgreSQL sink in the accumulator the Kafka path's
 * {@link ResultEncoder} fills ({@link ResultEncoder#EMBEDDED}), so the progress lines of a run
 * read the same whichever sink it writes.
 */
public final class CountEmbedded extends RichMapFunction<EmbedResult, EmbedResult> {

    private static final long serialVersionUID = 1L;

    private transient LongCounter embedded;

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        embedded = getRuntimeContext().getLongCounter(ResultEncoder.EMBEDDED);
    }

    @Override
    public EmbedResult map(EmbedResult result) {
        embedded.add(1);
        return result;
    }
}
