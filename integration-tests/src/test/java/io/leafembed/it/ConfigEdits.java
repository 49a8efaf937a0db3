package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A shipped example (config/*.yaml, config/sql/*.sql) with only what points it at the test's
 * machine replaced, so that the tests run the files users get. Each edit's target must occur
 * exactly once: a change to the file then breaks the test instead of silently testing
 * something else.
 */
final class ConfigEdits {

    private ConfigEdits() {}

    /** The text of {@code file} with every key of {@code edits} replaced by its value. */
    static String apply(Path file, Map<String, String> edits) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> edit : edits.entrySet()) {
            int first = text.indexOf(edit.getKey());
            assertThat(first).as("%s contains %s", file.getFileName(), edit.getKey()).isNotNegative();
            assertThat(text.indexOf(edit.getKey(), first + 1)).as("%s contains %s once", file.getFileName(),
                    edit.getKey()).isNegative();
            text = text.replace(edit.getKey(), edit.getValue());
        }
        return text;
    }

    /**
     * The edits that point a config/sql script at this machine: the broker, the database and its
     * user, the model directory ({@code modelDir}), a consumer group of its own ({@code group}
     * becomes {@code newGroup}), its table ({@code tableInScript} becomes {@code table}), plus a
     * bounded scan so that the job ends. A map to add more edits to.
     */
    static Map<String, String> sqlScriptOnThisMachine(String bootstrapServers, PostgresServer postgres, Path modelDir,
            String group, String newGroup, String tableInScript, String table) {
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("'properties.bootstrap.servers' = 'localhost:9092'",
                "'properties.bootstrap.servers' = '" + bootstrapServers + "'");
        edits.put("'scan.startup.mode' = 'earliest-offset',",
                "'scan.startup.mode' = 'earliest-offset',\n  'scan.bounded.mode' = 'latest-offset',");
        edits.put("'url' = 'jdbc:postgresql://localhost:5432/postgres'", "'url' = '" + postgres.url() + "'");
        edits.put("'username' = 'postgres'", "'username' = '" + postgres.user() + "'");
        edits.put("'/models/mdbr-leaf-mt'", "'" + modelDir + "'");
        edits.put("'properties.group.id' = '" + group + "'", "'properties.group.id' = '" + newGroup + "'");
        edits.put("'table-name' = '" + tableInScript + "'", "'table-name' = '" + table + "'");
        return edits;
    }
}
