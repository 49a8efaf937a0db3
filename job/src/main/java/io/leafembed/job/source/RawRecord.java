package io.leafembed.job.source;

/**
 * A record as it arrives, before parsing: its key (Kafka key or line number, may be null), its
 * raw value bytes (may be null for a Kafka tombstone), where it came from ({@code
 * topic-partition@offset} or {@code line N}) for dead letters and ids of records without one, and
 * a problem the reader already found (a line over the size limit), or null.
 */
public record RawRecord(String key, byte[] value, String source, String problem) {

    /** A record the reader had no problem with. */
    public RawRecord(String key, byte[] value, String source) {
        this(key, value, source, null);
    }
}
