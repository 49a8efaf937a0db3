package io.leafembed.job.source;

/**
 * A record as it arrives, before parsing: its key (Kafka key or line number, may be null), its
 * raw value bytes (may be null for a Kafka tombstone), and where it came from ({@code
 * topic-partition@offset} or {@code line N}) for dead letters and ids of records without one.
 */
public record RawRecord(String key, byte[] value, String source) {}
