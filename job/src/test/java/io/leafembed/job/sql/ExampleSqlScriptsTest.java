package io.leafembed.job.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The example scripts in config/sql/ split into the statements their authors meant: DDL, one or
 * more INSERTs, no bare query (which --sql refuses), the model and function names the README uses.
 */
class ExampleSqlScriptsTest {

    private static final Path SQL_DIR = Path.of("..", "config", "sql");

    @Test
    void everyExampleScriptSplitsIntoDdlAndInserts() throws Exception {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(SQL_DIR)) {
            scripts = files.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
        }
        assertThat(scripts).extracting(p -> p.getFileName().toString())
                .contains("kafka-to-postgres.sql", "kafka-to-postgres-codes.sql");
        for (Path script : scripts) {
            List<SqlScript.Statement> statements = SqlScript.parse(Files.readString(script), script.toString());
            assertThat(statements).as("%s", script).extracting(SqlScript.Statement::kind)
                    .contains(SqlScript.Kind.INSERT).doesNotContain(SqlScript.Kind.QUERY);
        }
        String ml = String.join("\n", SqlScript.parse(Files.readString(SQL_DIR.resolve("kafka-to-postgres.sql")), "")
                .stream().map(SqlScript.Statement::sql).toList());
        assertThat(ml).contains("'provider' = 'leaf-embed'", "'embedding.truncate-dim' = '256'",
                "ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text))", "ARRAY<FLOAT>", "'connector' = 'jdbc'");
        String codes = String.join("\n", SqlScript.parse(
                Files.readString(SQL_DIR.resolve("kafka-to-postgres-codes.sql")), "").stream()
                .map(SqlScript.Statement::sql).toList());
        assertThat(codes).contains("SET 'leaf-embed.embedding.quantization' = 'int8'",
                "AS 'io.leafembed.sql.EmbedCodesFunction'", "EMBED(text, 'document')", "embedding BYTES");
    }
}
