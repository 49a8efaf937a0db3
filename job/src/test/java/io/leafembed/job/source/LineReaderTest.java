package io.leafembed.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<RawRecord> read(String content, long maxLineBytes) throws IOException {
        List<RawRecord> out = new ArrayList<>();
        try (LineReader reader = new LineReader(
                new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), maxLineBytes)) {
            for (RawRecord r = reader.next(); r != null; r = reader.next()) {
                out.add(r);
            }
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

    @Test
    void aLineIsReturnedAsSoonAsItsNewlineArrivesWhileTheStreamStaysOpen() throws IOException {
        PipedOutputStream producer = new PipedOutputStream();
        try (LineReader reader = new LineReader(new PipedInputStream(producer, 1 << 16), 100)) {
            producer.write("first\nsec".getBytes(StandardCharsets.UTF_8));
            producer.flush();
            assertThat(new String(reader.next().value(), StandardCharsets.UTF_8)).isEqualTo("first");
            assertThat(reader.hasBufferedLine()).as("half a line has arrived").isFalse();
            producer.write("ond\nthird\n".getBytes(StandardCharsets.UTF_8));
            producer.flush();
            assertThat(new String(reader.next().value(), StandardCharsets.UTF_8)).isEqualTo("second");
            assertThat(reader.hasBufferedLine()).as("the third line came with the second").isTrue();
            assertThat(new String(reader.next().value(), StandardCharsets.UTF_8)).isEqualTo("third");
            assertThat(reader.hasBufferedLine()).isFalse();
            producer.close();
            assertThat(reader.next()).isNull();
        }
    }
}
