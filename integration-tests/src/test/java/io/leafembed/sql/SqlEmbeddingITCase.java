package io.leafembed.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.postprocess.Quantization;
import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.Vectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ML_PREDICT with the leaf-embed provider and EMBED() running on a MiniCluster, checked against the
 * core library: every vector equals {@link Embedder}'s for the same text (leaf-shaped fp32 model,
 * truncate-dim 256), int8 and binary codes equal the library's, refused rows (NULL, empty,
 * whitespace, over the size limit) are handled as the error-handling strategy says while the
 * query finishes, and the asynchronous form runs fewer model batches than rows (metrics).
 */
class SqlEmbeddingITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(withSlowMachineHeartbeat(REPORTER.addToConfiguration(new Configuration())))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    private static final int TRUNCATE_DIM = 256;
    private static final int MAX_TEXT_BYTES = 2000;
    private static final int GOOD_TEXTS = 240;
    /** The texts the synchronous run embeds (one model run each): ids below this, and the refused ones. */
    private static final int SYNC_TEXTS = 60;
    /** id -> text: GOOD_TEXTS texts the model embeds, then the refused ones. */
    private static final Map<Long, String> TEXTS = new HashMap<>();
    private static final List<Long> REFUSED = List.of(1000L, 1001L, 1002L, 1003L);
    private static Embedder reference;
    /** The library's embedding of each good text, by role. */
    private static final Map<String, List<Embedding>> EXPECTED = new HashMap<>();
    private TableEnvironment tEnv;

    @BeforeAll
    static void texts() {
        String[] words = ("stream embedding flink vector model query document search index token window batch"
                + " latency kafka table sort length matryoshka quantize cosine retrieval leaf river mountain coffee"
                + " music winter garden library engine").split(" ");
        Random random = new Random(7);
        for (long id = 0; id < GOOD_TEXTS; id++) {
            int n = 1 + random.nextInt(random.nextInt(10) == 0 ? 80 : 20); // mostly short, some long
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < n; w++) {
                text.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
            }
            TEXTS.put(id, text.toString());
        }
        TEXTS.put(1000L, null);
        TEXTS.put(1001L, "");
        TEXTS.put(1002L, "   ");
        TEXTS.put(1003L, "x".repeat(MAX_TEXT_BYTES + 1));
        reference = Embedder.open(EmbedderOptions.builder().modelDir(LeafShapedModel.directory())
                .truncateDim(TRUNCATE_DIM).build());
        for (String role : List.of("query", "document")) {
            List<TextInput> inputs = new ArrayList<>();
            for (long id = 0; id < GOOD_TEXTS; id++) {
                inputs.add(new TextInput(TEXTS.get(id), role));
            }
            EXPECTED.put(role, reference.embed(inputs));
        }
    }

    /** A machine shared by several builds may starve the TaskManager of CPU for a while. */
    private static Configuration withSlowMachineHeartbeat(Configuration config) {
        config.setString("heartbeat.timeout", "300000");
        return config;
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    /**
     * The texts as a streaming table. Not a literal VALUES list: the planner would push EMBED()
     * into each literal row, one function instance (and model) per row, with nothing to batch.
     */
    @BeforeEach
    void environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment streamTables = StreamTableEnvironment.create(env);
        tEnv = streamTables;
        List<Row> rows = new ArrayList<>();
        TEXTS.forEach((id, text) -> rows.add(Row.of(id, text)));
        DataStream<Row> stream = env.fromData(rows, Types.ROW_NAMED(new String[] {"id", "text"}, Types.LONG, Types.STRING));
        streamTables.createTemporaryView("texts", streamTables.fromDataStream(stream));
        tEnv.executeSql("CREATE TEMPORARY VIEW few_texts AS SELECT * FROM texts WHERE id < " + SYNC_TEXTS
                + " OR id >= 1000");
    }

    private void createModel(String output, String options) {
        tEnv.executeSql("CREATE TEMPORARY MODEL leaf INPUT (text STRING) OUTPUT (" + output + ") WITH ("
                + "'provider' = 'leaf-embed', 'model.dir' = '" + LeafShapedModel.directory() + "',"
                + " 'embedding.truncate-dim' = '" + TRUNCATE_DIM + "', 'input.max-text-bytes' = '" + MAX_TEXT_BYTES
                + "'" + (options.isEmpty() ? "" : ", " + options) + ")");
    }

    /** Runs {@code query} to the end; returns id -> column 1 and the job's id. */
    private Map<Long, Object> collect(String query, List<JobID> job) throws Exception {
        TableResult result = tEnv.executeSql(query);
        Map<Long, Object> out = new HashMap<>();
        try (CloseableIterator<Row> rows = result.collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                assertThat(out.put((Long) row.getField(0), row.getField(1))).as("id %s twice", row.getField(0)).isNull();
            }
        }
        job.add(result.getJobClient().orElseThrow().getJobID());
        return out;
    }

    private long counter(JobID job, String name) {
        long sum = 0;
        for (Metric metric : REPORTER.findMetrics(job, "leafembed." + name).values()) {
            sum += ((Counter) metric).getCount();
        }
        return sum;
    }

    private void assertVectorsMatch(Map<Long, Object> out, String role, int texts) {
        double worst = 0;
        for (long id = 0; id < texts; id++) {
            Object value = out.get(id);
            assertThat(value).as("id %d", id).isInstanceOf(Float[].class);
            Float[] boxed = (Float[]) value;
            float[] vector = new float[boxed.length];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = boxed[i];
            }
            float[] want = EXPECTED.get(role).get((int) id).vector();
            assertThat(vector).hasSize(TRUNCATE_DIM);
            double diff = Vectors.maxAbsDiff(vector, want);
            worst = Math.max(worst, diff);
            assertThat(diff).as("id %d: %s", id, TEXTS.get(id)).isLessThan(1e-6);
        }
        System.out.printf("max abs difference to the library over %d texts: %.2e%n", texts, worst);
    }

    @Test
    void asyncMlPredictBatchesAndEqualsTheLibrary() throws Exception {
        createModel("embedding ARRAY<FLOAT>", "'role' = 'query', 'error-handling-strategy' = 'null'");
        List<JobID> job = new ArrayList<>();
        Map<Long, Object> out = collect("SELECT id, embedding FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text),"
                + " MAP['max-concurrent-operations', '64'])", job);
        assertThat(out).hasSize(TEXTS.size());
        assertVectorsMatch(out, "query", GOOD_TEXTS);
        REFUSED.forEach(id -> assertThat(out.get(id)).as("refused id %d", id).isNull());
        long batches = counter(job.get(0), "batches");
        long embedded = counter(job.get(0), "recordsOut");
        System.out.printf("async ML_PREDICT: %d rows embedded in %d model runs%n", embedded, batches);
        assertThat(embedded).isEqualTo(GOOD_TEXTS);
        assertThat(counter(job.get(0), "deadLetters")).isEqualTo(REFUSED.size());
        assertThat(batches).isGreaterThan(0).isLessThan(GOOD_TEXTS / 4);
    }

    @Test
    void syncMlPredictEqualsTheLibraryAndIgnoreDropsRefusedRows() throws Exception {
        createModel("embedding ARRAY<FLOAT>", "'role' = 'document', 'error-handling-strategy' = 'ignore'");
        List<JobID> job = new ArrayList<>();
        Map<Long, Object> out = collect("SELECT id, embedding FROM ML_PREDICT(TABLE few_texts, MODEL leaf,"
                + " DESCRIPTOR(text), MAP['async', 'false'])", job);
        assertThat(out).hasSize(SYNC_TEXTS).doesNotContainKeys(REFUSED.toArray(Long[]::new));
        assertVectorsMatch(out, "document", SYNC_TEXTS);
        assertThat(counter(job.get(0), "batches")).isEqualTo(SYNC_TEXTS); // one model run per row
        assertThat(counter(job.get(0), "deadLetters")).isEqualTo(REFUSED.size());
    }

    @Test
    void failoverFailsTheQueryNamingTheReason() {
        createModel("embedding ARRAY<FLOAT>", "'error-handling-strategy' = 'failover'");
        assertThatThrownBy(() -> collect("SELECT id, embedding FROM ML_PREDICT(TABLE few_texts, MODEL leaf,"
                + " DESCRIPTOR(text))", new ArrayList<>()))
                .hasStackTraceContaining("leaf-embed refused a text");
    }

    @Test
    void embedInt8AndBinaryCodesEqualTheLibrary() throws Exception {
        for (Quantization q : List.of(Quantization.INT8, Quantization.BINARY)) {
            tEnv.getConfig().set("leaf-embed.model.dir", LeafShapedModel.directory().toString());
            tEnv.getConfig().set("leaf-embed.embedding.truncate-dim", String.valueOf(TRUNCATE_DIM));
            tEnv.getConfig().set("leaf-embed.embedding.quantization", q.id());
            tEnv.getConfig().set("leaf-embed.input.max-text-bytes", String.valueOf(MAX_TEXT_BYTES));
            tEnv.getConfig().set("table.exec.async-scalar.max-concurrent-operations", "64");
            tEnv.executeSql("CREATE TEMPORARY FUNCTION IF NOT EXISTS embed AS '" + EmbedCodesFunction.class.getName() + "'");
            List<JobID> job = new ArrayList<>();
            Map<Long, Object> out = collect("SELECT id, EMBED(text, 'query') FROM texts", job);
            assertThat(out).hasSize(TEXTS.size());
            int length = q == Quantization.INT8 ? TRUNCATE_DIM : TRUNCATE_DIM / 8;
            for (long id = 0; id < GOOD_TEXTS; id++) {
                byte[] codes = (byte[]) out.get(id);
                assertThat(codes).as("%s id %d", q, id).hasSize(length);
                // the library's codes of the library's float vector for the same text
                byte[] want = io.leafembed.postprocess.Quantizer.quantize(
                        EXPECTED.get("query").get((int) id).vector(), q, reference.options().ranges());
                assertThat(codes).as("%s id %d", q, id).isEqualTo(want);
            }
            REFUSED.forEach(id -> assertThat(out.get(id)).as("refused id %d", id).isNull());
            long batches = counter(job.get(0), "batches");
            System.out.printf("EMBED() %s: %d rows embedded in %d model runs%n", q.id(), GOOD_TEXTS, batches);
            assertThat(batches).isLessThan(GOOD_TEXTS / 4);
        }
    }
}
