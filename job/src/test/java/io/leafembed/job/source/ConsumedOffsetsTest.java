package io.leafembed.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumedOffsetsTest {

    @Test
    void keepsTheHighestOffsetPerPartitionAcrossSubtasks() {
        ConsumedOffsets a = new ConsumedOffsets();
        a.add("my-texts-1@7");
        a.add("my-texts-1@3");
        a.add("line 12");
        a.add(null);
        ConsumedOffsets b = new ConsumedOffsets();
        b.add("my-texts-1@5");
        b.add("my-texts-0@40");
        a.merge(b);
        assertThat(a.getLocalValue()).containsExactlyInAnyOrderEntriesOf(Map.of("my-texts-1", 7L, "my-texts-0", 40L));
        assertThat(ConsumedOffsets.topicAndPartition("my-texts-1")).isEqualTo(Map.entry("my-texts", 1));
    }
}
