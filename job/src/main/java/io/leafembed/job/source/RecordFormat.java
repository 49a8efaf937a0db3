package io.leafembed.job.source;

import java.util.Locale;

/** How input values are read: one text per value, or one JSON object per value. */
public enum RecordFormat {
    TEXT,
    JSON;

    /** text, jsonl/json; auto picks JSON for .jsonl, .ndjson and .json files. */
    public static RecordFormat resolve(String configured, String fileName) {
        switch (configured.toLowerCase(Locale.ROOT)) {
            case "text":
                return TEXT;
            case "jsonl":
            case "json":
                return JSON;
            default:
                String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
                return name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json") ? JSON : TEXT;
        }
    }
}
