package io.leafembed.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.TestModels;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Planning-time checks of the leaf-embed model provider and EMBED() with Flink's real planner
 * (nothing runs, no model is loaded): the provider is found through the service file, unknown
 * options, bad values and wrong column types fail the statement with a message that names them,
 * and the output type follows the quantization.
 */
class SqlPlanningTest {

    private TableEnvironment tEnv;

    @BeforeEach
    void createEnvironment() {
        tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql("CREATE TABLE texts (id BIGINT, text STRING) WITH ('connector' = 'datagen',"
                + " 'number-of-rows' = '3')");
    }

    private void createModel(String output, String options) {
        tEnv.executeSql("CREATE MODEL leaf INPUT (text STRING) OUTPUT (" + output + ") WITH ("
                + "'provider' = 'leaf-embed', 'model.dir' = '" + LeafShapedModel.directory() + "'"
                + (options.isEmpty() ? "" : ", " + options) + ")");
    }

    private String plan(String query) {
        return tEnv.sqlQuery(query).explain(ExplainDetail.JSON_EXECUTION_PLAN);
    }

    /** The compiled plan of writing {@code query}'s (id, embedding) rows to a blackhole sink. */
    private String compiled(String query, String embeddingType) {
        tEnv.executeSql("CREATE TABLE sink (id BIGINT, embedding " + embeddingType + ") WITH ('connector' = 'blackhole')");
        return tEnv.compilePlanSql("INSERT INTO sink " + query).asJsonString();
    }

    @Test
    void floatModelPlansAsAsyncByDefault() {
        createModel("embedding ARRAY<FLOAT>", "'embedding.truncate-dim' = '256', 'role' = 'query'");
        String plan = compiled("SELECT id, embedding FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))",
                "ARRAY<FLOAT>");
        assertThat(plan).contains("stream-exec-ml-predict-table-function").contains("\"asyncOptions\" : {");
    }

    @Test
    void syncWhenAsked() {
        createModel("embedding ARRAY<FLOAT>", "");
        String plan = compiled("SELECT id, embedding FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text),"
                + " MAP['async', 'false'])", "ARRAY<FLOAT>");
        assertThat(plan).contains("stream-exec-ml-predict-table-function").contains("\"asyncOptions\" : null");
    }

    @Test
    void unknownOptionIsNamed() {
        createModel("embedding ARRAY<FLOAT>", "'embedding.truncate-dims' = '256'");
        assertThatThrownBy(() -> plan("SELECT * FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))"))
                .hasStackTraceContaining("embedding.truncate-dims");
    }

    @Test
    void badValueIsNamed() {
        createModel("embedding ARRAY<FLOAT>", "'embedding.truncate-dim' = 'lots'");
        assertThatThrownBy(() -> plan("SELECT * FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))"))
                .hasStackTraceContaining("embedding.truncate-dim");
    }

    @Test
    void outOfRangeValueIsNamed() {
        createModel("embedding ARRAY<FLOAT>", "'batching.max-batch-size' = '0'");
        assertThatThrownBy(() -> plan("SELECT * FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))"))
                .hasStackTraceContaining("'batching.max-batch-size' must be in [1, 4096] but was 0");
    }

    @Test
    void parallelRunsReachTheSessionAndAreChecked() {
        org.apache.flink.configuration.Configuration c = new org.apache.flink.configuration.Configuration();
        c.setString("model.dir", LeafShapedModel.directory().toString());
        assertThat(EmbeddingSettings.from(c, "").embedder().session().parallelRuns()).as("default").isEqualTo(1);
        c.setString("runtime.parallel-runs", "2");
        assertThat(EmbeddingSettings.from(c, "").embedder().session().parallelRuns()).isEqualTo(2);
        c.setString("runtime.parallel-runs", "0");
        assertThatThrownBy(() -> EmbeddingSettings.from(c, ""))
                .hasMessageContaining("'runtime.parallel-runs' must be in [1, 1024] but was 0");
    }

    @Test
    void bytesWithFloat32IsRefused() {
        createModel("embedding BYTES", "");
        assertThatThrownBy(() -> plan("SELECT * FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))"))
                .hasStackTraceContaining("OUTPUT column 'embedding' is BYTES but 'embedding.quantization' is float32");
    }

    @Test
    void otherOutputTypeIsRefused() {
        createModel("embedding ARRAY<DOUBLE>", "");
        assertThatThrownBy(() -> plan("SELECT * FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))"))
                .hasStackTraceContaining("must be ARRAY<FLOAT>");
    }

    @Test
    void bytesWithInt8Plans() {
        createModel("codes BYTES", "'embedding.quantization' = 'int8'");
        assertThat(compiled("SELECT id, codes FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))", "BYTES"))
                .contains("\"asyncOptions\" : {");
    }

    @Test
    void embedFunctionReadsSessionSettings() {
        tEnv.executeSql("CREATE TEMPORARY FUNCTION embed AS '" + EmbedFunction.class.getName() + "'");
        tEnv.getConfig().set("leaf-embed.model.dir", LeafShapedModel.directory().toString());
        String plan = plan("SELECT id, EMBED(text), EMBED(text, 'query') FROM texts");
        assertThat(plan).contains("AsyncCalc");
        assertThat(tEnv.sqlQuery("SELECT EMBED(text) AS e FROM texts").getResolvedSchema().toString())
                .contains("ARRAY<FLOAT>");
    }

    @Test
    void embedFunctionUnknownKeyIsNamed() {
        tEnv.executeSql("CREATE TEMPORARY FUNCTION embed AS '" + EmbedFunction.class.getName() + "'");
        tEnv.getConfig().set("leaf-embed.model.dirr", "/x");
        assertThatThrownBy(() -> plan("SELECT EMBED(text) FROM texts"))
                .hasStackTraceContaining("'leaf-embed.model.dirr'");
    }

    @Test
    void embedFunctionClassMustFitQuantization() {
        tEnv.executeSql("CREATE TEMPORARY FUNCTION embed AS '" + EmbedFunction.class.getName() + "'");
        tEnv.getConfig().set("leaf-embed.embedding.quantization", "binary");
        assertThatThrownBy(() -> plan("SELECT EMBED(text) FROM texts"))
                .hasStackTraceContaining("'leaf-embed.embedding.quantization' is binary")
                .hasStackTraceContaining(EmbedCodesFunction.class.getName());
    }

    @Test
    void embedCodesFunctionReturnsBytes() {
        tEnv.executeSql("CREATE TEMPORARY FUNCTION embed AS '" + EmbedCodesFunction.class.getName() + "'");
        tEnv.getConfig().set("leaf-embed.embedding.quantization", "int8");
        assertThat(plan("SELECT EMBED(text) FROM texts")).contains("AsyncCalc");
        assertThat(tEnv.sqlQuery("SELECT EMBED(text) AS e FROM texts").getResolvedSchema().toString())
                .contains("BYTES");
    }

    static {
        TestModels.root();
    }
}
