package io.leafembed.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

    @Test
    void sortsByLengthAndCutsBySize() {
        List<int[]> batches = new BatchPlanner(2, 10_000).plan(new int[] {5, 40, 6, 38});
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).containsExactly(0, 2);
        assertThat(batches.get(1)).containsExactly(3, 1);
    }

    @Test
    void cutsByPaddedTokenCostAndKeepsEveryIndexOnce() {
        int[] lengths = {100, 10, 100, 10, 100, 10, 300};
        List<int[]> batches = new BatchPlanner(32, 250).plan(lengths);
        for (int[] batch : batches) {
            int longest = Arrays.stream(batch).map(i -> lengths[i]).max().getAsInt();
            assertThat(longest * batch.length <= 250 || batch.length == 1).isTrue();
        }
        assertThat(batches.stream().flatMapToInt(Arrays::stream).sorted().toArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(batches.get(batches.size() - 1)).containsExactly(6); // over budget: alone
    }
}
