package io.leafembed.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GraphOptimizationTest {

    @Test
    void autoIsBasicOnlyForAnFp32GraphOnOneCpuThread() {
        assertThat(GraphOptimization.AUTO.forSession(1, false, false)).isEqualTo(GraphOptimization.BASIC);
        assertThat(GraphOptimization.AUTO.forSession(2, false, false)).isEqualTo(GraphOptimization.ALL);
        assertThat(GraphOptimization.AUTO.forSession(1, true, false)).isEqualTo(GraphOptimization.ALL);
        assertThat(GraphOptimization.AUTO.forSession(1, false, true)).isEqualTo(GraphOptimization.ALL);
    }

    @Test
    void onlyAutoOnCpuKeepsAnInt8GraphsLayerNormsDecomposed() {
        assertThat(GraphOptimization.AUTO.keepsLayerNormsDecomposed(false, true)).isTrue();
        assertThat(GraphOptimization.AUTO.keepsLayerNormsDecomposed(false, false)).isFalse();
        assertThat(GraphOptimization.AUTO.keepsLayerNormsDecomposed(true, true)).as("CUDA").isFalse();
        assertThat(GraphOptimization.ALL.keepsLayerNormsDecomposed(false, true)).as("explicit").isFalse();
    }

    @Test
    void anExplicitLevelIsKeptWhateverTheThreads() {
        for (GraphOptimization level : GraphOptimization.values()) {
            if (level != GraphOptimization.AUTO) {
                assertThat(level.forSession(1, false, false)).isEqualTo(level);
                assertThat(level.forSession(4, true, true)).isEqualTo(level);
            }
        }
    }

    @Test
    void theDefaultSessionIsAutoAndOpensAnFp32GraphAtBasic() {
        assertThat(SessionSettings.defaults().optimization()).isEqualTo(GraphOptimization.AUTO);
        assertThat(SessionSettings.defaults().sessionOptimization(false)).isEqualTo(GraphOptimization.BASIC);
        assertThat(SessionSettings.defaults().sessionOptimization(true)).isEqualTo(GraphOptimization.ALL);
        assertThat(SessionSettings.defaults().withParallelRuns(4).sessionOptimization(false))
                .as("parallel runs keep one thread each").isEqualTo(GraphOptimization.BASIC);
        assertThat(new SessionSettings(2, 1, GraphOptimization.AUTO, false, 0).sessionOptimization(false))
                .isEqualTo(GraphOptimization.ALL);
    }

    @Test
    void theSummaryNamesTheLevelAutoChose() {
        assertThat(SessionSettings.defaults().withParallelRuns(2).summary(false, false))
                .isEqualTo("2 runs x 1 intra-op thread, CPU, graph optimization basic (auto)");
        assertThat(SessionSettings.defaults().withParallelRuns(2).summary(true, true))
                .isEqualTo("2 runs x 1 intra-op thread, CPU, graph optimization all (auto: int8 graph, layer norms kept decomposed)");
        assertThat(SessionSettings.defaults().summary(true, false))
                .as("an int8 graph without squares to rewrite")
                .isEqualTo("1 run x 1 intra-op thread, CPU, graph optimization all (auto: int8 graph)");
        assertThat(new SessionSettings(4, 1, GraphOptimization.EXTENDED, false, 0).summary(true, false))
                .isEqualTo("1 run x 4 intra-op threads, CPU, graph optimization extended");
    }

    @Test
    void parsesEveryLevelAndNamesThemOnATypo() {
        assertThat(GraphOptimization.fromId(" Auto ")).isEqualTo(GraphOptimization.AUTO);
        assertThat(GraphOptimization.fromId("basic")).isEqualTo(GraphOptimization.BASIC);
        assertThatThrownBy(() -> GraphOptimization.fromId("fast"))
                .hasMessage("unknown graph optimization level 'fast': use one of auto, none, basic, extended, all");
    }
}
