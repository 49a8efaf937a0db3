package io.leafembed.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlankLineFilterTest {

    private static boolean blank(String text) {
        return BlankLineFilter.isBlank(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void emptyAndWhitespaceOnlyLinesAreBlankAsTheModelSeesThem() {
        assertThat(blank("")).isTrue();
        assertThat(blank(" \t\u000B\f")).isTrue();
        assertThat(blank("\u2003\u3000 ")).isTrue(); // em space, ideographic space: String.isBlank
        assertThat(blank(" a ")).isFalse();
        assertThat(blank("\u00A0")).isFalse(); // no-break space is not whitespace to Java (nor to isBlank)
        assertThat(blank("\u00e9")).isFalse();
        assertThat(BlankLineFilter.isBlank(new byte[] {(byte) 0xff})).isFalse(); // invalid UTF-8: a dead letter
    }

    @Test
    void aLineCutForItsSizeIsNeverSkipped() {
        BlankLineFilter filter = new BlankLineFilter();
        RawRecord cut = new RawRecord("1", " ".getBytes(StandardCharsets.UTF_8), "line 1", "line is 9000000 bytes");
        assertThat(filter.filter(cut)).isTrue();
    }
}
