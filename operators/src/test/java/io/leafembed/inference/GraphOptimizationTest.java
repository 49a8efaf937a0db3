package io.leafembed.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GraphOptimizationTest {

    @Test
    void autoIsBasicOnlyForOneCpuThread() {
        assertThat(GraphOptimization.AUTO.forSession(1, false)).isEqualTo(GraphOptimization.BASIC);
        assertThat(GraphOptimization.AUTO.forSession(2, false)).isEqualTo(GraphOptimization.ALL);
        assertThat(GraphOptimization.AUTO.forSession(1, true)).isEqualTo(GraphOptimization.ALL);
    }

    @Test
    void anExplicitLevelIsKeptWhateverTheThreads() {
        for (GraphOptimization level : GraphOptimization.values()) {
            if (level != GraphOptimization.AUTO) {
                assertThat(level.forSession(1, false)).isEqualTo(level);
                assertThat(level.forSession(4, true)).isEqualTo(level);
            }
        }
    }

    @Test
    void theDefaultSessionIsAutoAndOpensAtBasic() {
        assertThat(SessionSettings.defaults().optimization()).isEqualTo(GraphOptimization.AUTO);
        assertThat(SessionSettings.defaults().sessionOptimization()).isEqualTo(GraphOptimization.BASIC);
        assertThat(SessionSettings.defaults().withParallelRuns(4).sessionOptimization())
                .as("parallel runs keep one thread each").isEqualTo(GraphOptimization.BASIC);
        assertThat(new SessionSettings(2, 1, GraphOptimization.AUTO, false, 0).sessionOptimization())
                .isEqualTo(GraphOptimization.ALL);
    }

    @Test
    void theSummaryNamesTheLevelAutoChose() {
        assertThat(SessionSettings.defaults().withParallelRuns(2).summary())
                .isEqualTo("2 runs x 1 intra-op thread, CPU, graph optimization basic (auto)");
        assertThat(new SessionSettings(4, 1, GraphOptimization.EXTENDED, false, 0).summary())
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
