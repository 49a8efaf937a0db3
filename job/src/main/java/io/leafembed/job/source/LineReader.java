package io.leafembed.job.source;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a stream line by line as raw bytes (so invalid UTF-8 can be reported instead of silently
 * replaced), numbering lines from 1: the line number is the record's key. Lines end at {@code
 * \n}; a trailing {@code \r} is dropped. A line over {@code maxLineBytes} is not buffered whole (a
 * newline-free binary file would exhaust the heap): its first bytes are kept and the record
 * carries the problem, for the dead letters.
 *
 * <p>{@link #next()} returns a line as soon as its newline has arrived: it never waits for more
 * input than that, so a pipe that delivers one line at a time is read one line at a time. {@link
 * #hasBufferedLine()} tells whether the next line has arrived with the previous one.
 */
public final class LineReader implements Closeable {

    private static final int KEPT_BYTES_OF_LONG_LINES = 1024;

    private final InputStream in;
    private final long maxLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long lineNumber;
    private long lineBytes;

    public LineReader(InputStream in, long maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the stream; blocks until a whole line has arrived. */
    public RawRecord next() throws IOException {
        line.reset();
        lineBytes = 0;
        boolean sawAnything = false;
        while (true) {
            if (position == limit) {
                // one read: returns what has arrived so far (a pipe does not wait to fill the buffer)
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return sawAnything ? emit() : null;
                }
            }
            sawAnything = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int chunk = position - start;
            long room = Math.max(0, (lineBytes > maxLineBytes ? KEPT_BYTES_OF_LONG_LINES : maxLineBytes + 1)
                    - line.size());
            line.write(buffer, start, (int) Math.min(chunk, room));
            lineBytes += chunk;
            if (position < limit) {
                position++; // the '\n'
                return emit();
            }
        }
    }

    /**
     * Whether {@link #next()} can return a whole line without reading (its newline has arrived):
     * lines that arrived together can be handed on together.
     */
    public boolean hasBufferedLine() {
        for (int i = position; i < limit; i++) {
            if (buffer[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    private RawRecord emit() {
        lineNumber++;
        byte[] bytes = line.toByteArray();
        if (lineBytes > maxLineBytes) {
            byte[] head = Arrays.copyOf(bytes, Math.min(bytes.length, KEPT_BYTES_OF_LONG_LINES));
            return new RawRecord(Long.toString(lineNumber), head, "line " + lineNumber,
                    "line is " + lineBytes + " bytes, over the limit of " + maxLineBytes
                            + " (input.max-text-bytes plus room for JSON fields); first "
                            + head.length + " bytes kept");
        }
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        byte[] value = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        return new RawRecord(Long.toString(lineNumber), value, "line " + lineNumber);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
