package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BatchingOptionsTest {

    private static final long MS = 1_000_000L;

    @Test
    void theBudgetCountsTheFirstRecordsWaitPlusTheWindowsExpectedEmbeddingTime() {
        BatchingOptions options = new BatchingOptions(1024, 50, 100);
        // 10 records x 5 ms + 40 ms waited = 90 ms: room left
        assertThat(options.budgetReached(10, 40 * MS, 5 * MS)).isFalse();
        // 10 x 5 + 50 = 100 ms: used up
        assertThat(options.budgetReached(10, 50 * MS, 5 * MS)).isTrue();
        assertThat(options.budgetReached(20, 0, 5 * MS)).isTrue();
    }

    @Test
    void withoutABudgetOnlyCountAndWaitCloseTheWindow() {
        BatchingOptions options = new BatchingOptions(1024, 50);
        assertThat(options.latencyBudgetMillis()).isZero();
        assertThat(options.budgetReached(1_000_000, Long.MAX_VALUE / 4, 1_000 * MS)).isFalse();
    }

    @Test
    void defaultsAreAMaxWindowAWaitAndABudget() {
        BatchingOptions defaults = BatchingOptions.defaults();
        assertThat(defaults.windowSize()).isEqualTo(1024);
        assertThat(defaults.maxWaitMillis()).isEqualTo(50);
        assertThat(defaults.latencyBudgetMillis()).isEqualTo(1000);
    }

    @Test
    void rejectsANegativeBudget() {
        assertThatThrownBy(() -> new BatchingOptions(8, 50, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency budget");
    }
}
