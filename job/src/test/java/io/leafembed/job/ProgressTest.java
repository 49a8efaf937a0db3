package io.leafembed.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final long S = 1_000_000_000L;

    @Test
    void nothingDuringTheFirstIntervalThenTheCurrentRateWithoutStartUp() {
        Progress progress = new Progress(0, 5 * S);
        assertThat(progress.line(4 * S, 3, 0, 3 * S)).isNull(); // a short input finishes silently
        // the first result came 3 s after start (model loading): the rate counts from there
        assertThat(progress.line(5 * S, 400, 1, 3 * S)).isEqualTo("leaf-embed: 400 embedded (200/s now), 1 dead letters");
        assertThat(progress.nextNanos()).isEqualTo(10 * S);
        assertThat(progress.line(9 * S, 900, 1, 3 * S)).isNull();
        // current, not cumulative: 1,000 more in the last 5 s
        assertThat(progress.line(10 * S, 1_400, 1, 3 * S)).isEqualTo("leaf-embed: 1,400 embedded (200/s now), 1 dead letters");
    }

    @Test
    void noLineWhenNothingWasWrittenAndNoRateOverLessThanASecond() {
        Progress progress = new Progress(0, 5 * S);
        assertThat(progress.line(5 * S, 0, 0, 0)).isNull(); // still loading, or an idle standard input
        assertThat(progress.line(10 * S, 1, 0, (long) (9.5 * S))).isEqualTo("leaf-embed: 1 embedded, 0 dead letters");
        assertThat(progress.line(15 * S, 1, 0, (long) (9.5 * S))).isNull();
    }
}
