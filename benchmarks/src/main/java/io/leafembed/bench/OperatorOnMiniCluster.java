package io.leafembed.bench;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.function.BatchingOptions;
import io.leafembed.function.EmbedRequest;
import io.leafembed.function.EmbedResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Contender (c): the Flink operator with the given batching (max window, wait and latency
 * budget) on a local MiniCluster, parallelism 1: in-memory source -> operator -> discarding sink.
 * The corpus goes through at least three times and for at least 4,500 records (each copy with its
 * own ids; windows of 1,024 need that many for results to come out while input is still read);
 * timed inside the task on the results after the first third, to the last window flushed (see {@link MeasuredOperator}), so
 * the cluster's start-up, the model load, the first windows (the operator assumes 5 ms a record
 * until it has measured one) and most of the JIT's warm-up are not counted, as for (d).
 */
final class OperatorOnMiniCluster {

    /** Fewest records: windows of 1,024 (no latency budget) must leave while input is still read. */
    private static final int MIN_RECORDS = 4500;

    private OperatorOnMiniCluster() {}

    static Measurement run(BenchModel model, List<String> texts, int threads, BatchingOptions batching, String name)
            throws Exception {
        EmbedderOptions options = model.options(threads).build();
        int copies = Math.max(3, (MIN_RECORDS + texts.size() - 1) / texts.size());
        List<EmbedRequest> requests = new ArrayList<>(copies * texts.size());
        for (int i = 0; i < copies * texts.size(); i++) {
            requests.add(new EmbedRequest(String.valueOf(i), texts.get(i % texts.size()), "document", null));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        env.fromData(requests, TypeInformation.of(EmbedRequest.class))
                .transform("embed", TypeInformation.of(EmbedResult.class),
                        new MeasuredOperator(options, batching))
                .sinkTo(new DiscardingSink<>());
        MeasuredOperator.reset(requests.size() / 3);
        long start = System.nanoTime();
        env.execute("leaf-embed benchmark (c)");
        long total = System.nanoTime() - start;
        long measured = MeasuredOperator.END_OUT.get() - MeasuredOperator.MARK_OUT.get();
        if (MeasuredOperator.MARK_NANOS.get() == 0 || measured <= 0) {
            throw new IllegalStateException("(c): the results after the first third all left at the end of input;"
                    + " use more texts");
        }
        return new Measurement(name, model.name(), (int) measured,
                MeasuredOperator.END_TOKENS.get() - MeasuredOperator.MARK_TOKENS.get(),
                MeasuredOperator.END_POSITIONS.get() - MeasuredOperator.MARK_POSITIONS.get(),
                MeasuredOperator.END_NANOS.get() - MeasuredOperator.MARK_NANOS.get(),
                MeasuredOperator.END_CPU.get() - MeasuredOperator.MARK_CPU.get(),
                String.format(java.util.Locale.ROOT, "corpus x%d; the %d results after the first %d, to the last flush"
                        + " (whole job %.1f s)", copies, measured, MeasuredOperator.MARK_OUT.get(), total / 1e9));
    }
}
