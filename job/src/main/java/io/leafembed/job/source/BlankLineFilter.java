package io.leafembed.job.source;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;

/**
 * Drops empty and whitespace-only lines of a local input ({@code input.skip-blank-lines}) and
 * counts them in the accumulator {@link #ACCUMULATOR}, so a text with paragraph breaks does not
 * flood the dead letters. Whitespace is what {@link String#isBlank()} says, the rule the model
 * applies to empty texts. Line numbers are given before this filter, so ids still match the
 * input's lines.
 */
public final class BlankLineFilter extends RichFilterFunction<RawRecord> {

    private static final long serialVersionUID = 1L;

    /** The job accumulator holding how many lines were skipped. */
    public static final String ACCUMULATOR = "leaf-embed-blank-lines";

    private transient LongCounter skipped;

    @Override
    public void open(OpenContext openContext) {
        skipped = new LongCounter();
        getRuntimeContext().addAccumulator(ACCUMULATOR, skipped);
    }

    @Override
    public boolean filter(RawRecord line) {
        if (line.problem() == null && isBlank(line.value())) {
            skipped.add(1);
            return false;
        }
        return true;
    }

    /** Whether {@code bytes} are UTF-8 for an empty or whitespace-only text. */
    static boolean isBlank(byte[] bytes) {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
            } else if (!Character.isWhitespace(b)) {
                return false; // the common case: a visible ASCII character, no decoding
            }
        }
        // only whitespace and non-ASCII bytes: decode (invalid UTF-8 decodes to U+FFFD, not blank)
        return ascii || new String(bytes, StandardCharsets.UTF_8).isBlank();
    }
}
