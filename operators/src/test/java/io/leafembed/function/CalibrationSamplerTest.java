package io.leafembed.function;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which embeddings a subtask sends to the calibrator. */
class CalibrationSamplerTest {

    private static int taken(CalibrationSampler sampler, int embeddings) {
        int n = 0;
        for (int i = 0; i < embeddings; i++) {
            n += sampler.take() ? 1 : 0;
        }
        return n;
    }

    @Test
    void evenInputSendsAboutAShareFromEachSubtask() {
        // 4 subtasks, sample of 1000: when each has embedded 250, the sample is exactly full
        CalibrationSampler sampler = new CalibrationSampler(1000, 4, 0);
        assertThat(taken(sampler, 250)).isEqualTo(250);
        // then one in four, never more than the sample size in all
        assertThat(taken(sampler, 400)).isEqualTo(100);
        assertThat(taken(sampler, 1_000_000)).isEqualTo(650);
        assertThat(sampler.done()).isTrue();
    }

    @Test
    void aSingleBusySubtaskFillsTheWholeSampleWhenTheOthersGetNoInput() {
        CalibrationSampler sampler = new CalibrationSampler(100, 4, 0);
        assertThat(taken(sampler, 25 + 4 * 75)).isEqualTo(100);
        assertThat(taken(sampler, 10_000)).isZero();
    }

    @Test
    void aRestoreCountsWhatTheJobAlreadySent() {
        assertThat(CalibrationSampler.restoredSent(List.of(60L, 50L), 100, 3)).isEqualTo(100);
        assertThat(CalibrationSampler.restoredSent(List.of(30L, 30L), 100, 3)).isEqualTo(20);
        assertThat(taken(new CalibrationSampler(100, 3, 100), 1000)).isZero();
        // restored with 20 of a share of 34 sent: 14 more at once
        CalibrationSampler restored = new CalibrationSampler(100, 3, 20);
        assertThat(taken(restored, 14)).isEqualTo(14);
        assertThat(restored.sent()).isEqualTo(34);
    }
}
