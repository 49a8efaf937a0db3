package io.leafembed.job.sink;

/**
 * How an embedding is written in a JSON record: as a JSON array (floats for float32, integers
 * for int8/uint8/binary/ubinary codes) or as base64 of the packed bytes (float32 little-endian,
 * one byte per int8/uint8 dim, one bit per binary dim).
 */
public enum OutputEncoding {
    JSON,
    BASE64;

    public static OutputEncoding fromId(String id) {
        return id.equalsIgnoreCase("base64") ? BASE64 : JSON;
    }
}
