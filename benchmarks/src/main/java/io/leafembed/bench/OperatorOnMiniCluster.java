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
 * Timed inside the task, from the operator's first record to its last window flushed (see {@link
 * MeasuredOperator}), so the cluster's start-up and the model load are not counted.
 */
final class OperatorOnMiniCluster {

    private OperatorOnMiniCluster() {}

    static Measurement run(BenchModel model, List<String> texts, int threads, BatchingOptions batching, String name)
            throws Exception {
        EmbedderOptions options = model.options(threads).build();
        List<EmbedRequest> requests = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            requests.add(new EmbedRequest(String.valueOf(i), texts.get(i), "document", null));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        env.fromData(requests, TypeInformation.of(EmbedRequest.class))
                .transform("embed", TypeInformation.of(EmbedResult.class),
                        new MeasuredOperator(options, batching))
                .sinkTo(new DiscardingSink<>());
        MeasuredOperator.reset();
        long start = System.nanoTime();
        env.execute("leaf-embed benchmark (c)");
        long total = System.nanoTime() - start;
        long wall = MeasuredOperator.END_NANOS.get() - MeasuredOperator.FIRST_NANOS.get();
        return new Measurement(name, model.name(), texts.size(),
                MeasuredOperator.REAL_TOKENS.get(), MeasuredOperator.COMPUTED_POSITIONS.get(), wall,
                MeasuredOperator.END_CPU.get() - MeasuredOperator.FIRST_CPU.get(),
                String.format(java.util.Locale.ROOT, "first record to last flush (whole job %.1f s)", total / 1e9));
    }
}
