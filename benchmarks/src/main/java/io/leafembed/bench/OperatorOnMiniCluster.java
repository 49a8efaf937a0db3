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
 * Contender (c): the Flink operator with its default batching (max window, wait and latency
 * budget) on a local MiniCluster, parallelism 1: in-memory source -> operator -> discarding sink.
 * Start-up (cluster, model load) is taken out by running the same job on a short prefix as well
 * and dividing the difference in texts by the difference in time.
 */
final class OperatorOnMiniCluster {

    /** Texts of the short run whose time is subtracted. */
    static final int STARTUP_TEXTS = 64;

    private OperatorOnMiniCluster() {}

    static Measurement run(BenchModel model, List<String> texts, int threads) throws Exception {
        EmbedderOptions options = model.options(threads).build();
        Run small = execute(options, texts.subList(0, STARTUP_TEXTS));
        Run full = execute(options, texts);
        int n = texts.size() - STARTUP_TEXTS;
        return new Measurement("(c) Flink operator, MiniCluster", model.name(), n,
                full.realTokens - small.realTokens, full.computed - small.computed,
                full.wallNanos - small.wallNanos, full.cpuNanos - small.cpuNanos,
                String.format(java.util.Locale.ROOT, "run of %d texts (%.1f s, start-up) subtracted",
                        STARTUP_TEXTS, small.wallNanos / 1e9));
    }

    private record Run(long wallNanos, long cpuNanos, long realTokens, long computed) {}

    private static Run execute(EmbedderOptions options, List<String> texts) throws Exception {
        List<EmbedRequest> requests = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            requests.add(new EmbedRequest(String.valueOf(i), texts.get(i), "document", null));
        }
        Configuration conf = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.fromData(requests, TypeInformation.of(EmbedRequest.class))
                .transform("embed", TypeInformation.of(EmbedResult.class),
                        new MeasuredOperator(options, BatchingOptions.defaults()))
                .sinkTo(new DiscardingSink<>());
        MeasuredOperator.REAL_TOKENS.set(0);
        MeasuredOperator.COMPUTED_POSITIONS.set(0);
        long cpu = CpuClock.processCpuNanos();
        long start = System.nanoTime();
        env.execute("leaf-embed benchmark (c)");
        long wall = System.nanoTime() - start;
        return new Run(wall, CpuClock.processCpuNanos() - cpu, MeasuredOperator.REAL_TOKENS.get(),
                MeasuredOperator.COMPUTED_POSITIONS.get());
    }
}
