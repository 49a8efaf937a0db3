package io.leafembed.bench;

import io.leafembed.embed.EmbedderOptions;
import io.leafembed.function.BatchingOptions;
import io.leafembed.function.EmbedRequest;
import io.leafembed.function.EmbedResult;
import io.leafembed.function.EmbeddingOperator;
import io.leafembed.inference.SessionSettings;
import io.leafembed.pooling.PoolingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * Throughput benchmark (not a test): the same texts through ML_PREDICT with the leaf-embed
 * provider in its asynchronous micro-batched form and its synchronous form (one model run per
 * row), EMBED(), and the DataStream {@link EmbeddingOperator}, each a local job at parallelism 1
 * with as many one-thread model runs at once as cores ({@code runtime.parallel-runs}), each form at
 * its default window (256 rows for the SQL forms, which their async capacity caps; 1,024 records
 * with a 1 s latency budget for the operator) and batches of up to 32. Prints rows/s of
 * each job's wall time (job start and model load included, about a second). Input: a TSV with
 * sentences in columns 2 and 3 (the STS-B file of ../shared/data/eval). Run from operators/
 * after {@code mvn -B -ntp test-compile -pl operators} and {@code mvn dependency:build-classpath
 * -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}:
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.leafembed.bench.SqlBatchingBenchmark \
 *     stsb-test.tsv model.onnx tokenizer.json [rounds, default 3]
 * </pre>
 */
public final class SqlBatchingBenchmark {

    private static final int RUNS = Runtime.getRuntime().availableProcessors();

    private SqlBatchingBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<String> texts = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t", -1);
            texts.add(cols[1]);
            texts.add(cols[2] + " " + cols[1]); // longer texts mixed in
        }
        String onnx = args[1];
        String tokenizer = args[2];
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        // round 1 also pays for loading and warming up the planner and its code generation
        for (int round = 1; round <= rounds; round++) {
            System.out.printf("round %d, %d texts%n", round, texts.size());
            report("ML_PREDICT async, micro-batched (window 256)", texts.size(),
                    sql(texts, onnx, tokenizer, "MAP['max-concurrent-operations', '256']"));
            report("ML_PREDICT sync ('async' = 'false')", texts.size(),
                    sql(texts, onnx, tokenizer, "MAP['async', 'false']"));
            report("EMBED() async scalar (window 256)", texts.size(), embedFunction(texts, onnx, tokenizer));
            report("DataStream EmbeddingOperator (default window)", texts.size(), dataStream(texts, onnx, tokenizer));
        }
    }

    private static void report(String name, int rows, double seconds) {
        System.out.printf("  %-46s %6.0f rows/s  (%.1f s)%n", name, rows / seconds, seconds);
    }

    /**
     * The texts as a streaming table (not a literal VALUES list, which the planner would split into
     * one EMBED() call site per row).
     */
    private static TableEnvironment tableEnvironment(List<String> texts) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(Row.of((long) i, texts.get(i)));
        }
        tEnv.createTemporaryView("texts", tEnv.fromDataStream(env.fromData(rows,
                Types.ROW_NAMED(new String[] {"id", "text"}, Types.LONG, Types.STRING))));
        tEnv.executeSql("CREATE TABLE sink (id BIGINT, embedding ARRAY<FLOAT>) WITH ('connector' = 'blackhole')");
        return tEnv;
    }

    private static double sql(List<String> texts, String onnx, String tokenizer, String config) throws Exception {
        TableEnvironment tEnv = tableEnvironment(texts);
        tEnv.executeSql("CREATE MODEL leaf INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ("
                + "'provider' = 'leaf-embed', 'model.onnx-file' = '" + onnx + "', 'model.tokenizer-file' = '"
                + tokenizer + "', 'model.max-length' = '256', 'runtime.parallel-runs' = '" + RUNS + "')");
        long start = System.nanoTime();
        tEnv.executeSql("INSERT INTO sink SELECT id, embedding FROM ML_PREDICT(TABLE texts, MODEL leaf,"
                + " DESCRIPTOR(text), " + config + ")").await();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double embedFunction(List<String> texts, String onnx, String tokenizer) throws Exception {
        TableEnvironment tEnv = tableEnvironment(texts);
        tEnv.getConfig().set("leaf-embed.model.onnx-file", onnx);
        tEnv.getConfig().set("leaf-embed.model.tokenizer-file", tokenizer);
        tEnv.getConfig().set("leaf-embed.model.max-length", "256");
        tEnv.getConfig().set("leaf-embed.runtime.parallel-runs", String.valueOf(RUNS));
        tEnv.getConfig().set("table.exec.async-scalar.max-concurrent-operations", "256");
        tEnv.executeSql("CREATE FUNCTION embed AS 'io.leafembed.sql.EmbedFunction'");
        long start = System.nanoTime();
        tEnv.executeSql("INSERT INTO sink SELECT id, EMBED(text) FROM texts").await();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double dataStream(List<String> texts, String onnx, String tokenizer) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<EmbedRequest> requests = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            requests.add(new EmbedRequest(String.valueOf(i), texts.get(i), "document", null));
        }
        EmbedderOptions options = EmbedderOptions.builder().onnxFile(Path.of(onnx)).tokenizerFile(Path.of(tokenizer))
                .pooling(PoolingMode.MEAN).maxLength(256)
                .session(SessionSettings.defaults().withParallelRuns(RUNS)).build();
        env.fromData(requests, TypeInformation.of(EmbedRequest.class))
                .transform("embed", TypeInformation.of(EmbedResult.class),
                        new EmbeddingOperator(options, BatchingOptions.defaults(), 0))
                .sinkTo(new DiscardingSink<>());
        long start = System.nanoTime();
        env.execute("datastream benchmark");
        return (System.nanoTime() - start) / 1e9;
    }
}
