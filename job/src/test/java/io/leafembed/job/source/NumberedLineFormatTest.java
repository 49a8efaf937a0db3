package io.leafembed.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.junit.jupiter.api.Test;

class NumberedLineFormatTest {

    /** An in-memory file for the reader. */
    private static final class BytesInput extends FSDataInputStream {
        private final ByteArrayInputStream in;
        private long position;

        BytesInput(byte[] bytes) {
            this.in = new ByteArrayInputStream(bytes);
        }

        @Override
        public void seek(long desired) {
            in.reset();
            in.skip(desired);
            position = desired;
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public int read() {
            int b = in.read();
            position += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = in.read(b, off, len);
            position += Math.max(n, 0);
            return n;
        }
    }

    private static List<RawRecord> read(String content, long maxLineBytes) throws IOException {
        StreamFormat.Reader<RawRecord> reader = new NumberedLineFormat(maxLineBytes)
                .createReader(new Configuration(), new BytesInput(content.getBytes(StandardCharsets.UTF_8)));
        List<RawRecord> out = new ArrayList<>();
        for (RawRecord r = reader.read(); r != null; r = reader.read()) {
            out.add(r);
        }
        return out;
    }

    @Test
    void numbersLinesFromOneAndDropsCarriageReturns() throws IOException {
        List<RawRecord> lines = read("first\r\nsecond\n\nlast without newline", 100);
        assertThat(lines).extracting(RawRecord::key).containsExactly("1", "2", "3", "4");
        assertThat(lines).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("first", "second", "", "last without newline");
        assertThat(lines.get(3).source()).isEqualTo("line 4");
        assertThat(lines).allSatisfy(r -> assertThat(r.problem()).isNull());
    }

    @Test
    void aLineOverTheLimitIsNotBufferedWholeAndCarriesItsProblem() throws IOException {
        String huge = "x".repeat(200_000);
        List<RawRecord> lines = read("ok\n" + huge + "\nafter\n", 5_000);
        assertThat(lines).extracting(RawRecord::key).containsExactly("1", "2", "3");
        assertThat(lines.get(1).problem()).isEqualTo("line is 200000 bytes, over the limit of 5000"
                + " (input.max-text-bytes plus room for JSON fields); first 1024 bytes kept");
        assertThat(lines.get(1).value()).hasSize(1024);
        assertThat(new String(lines.get(2).value(), StandardCharsets.UTF_8)).isEqualTo("after");
    }
}
