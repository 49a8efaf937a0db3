package io.leafembed.job.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.job.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

    private static List<SqlScript.Statement> parse(String text) {
        return SqlScript.parse(text, "s.sql");
    }

    @Test
    void semicolonsInStringsIdentifiersAndCommentsDoNotEndAStatement() {
        List<SqlScript.Statement> statements = parse(String.join("\n",
                "-- a comment; with a semicolon",
                "SET 'pipeline.name' = 'a;b ''quoted;'' c';",
                "/* block; comment",
                "   over lines; */ CREATE TABLE `we;ird` (\"x;y\" INT) WITH ('connector' = 'datagen');",
                "",
                "INSERT INTO `we;ird` SELECT 1 -- trailing; comment",
                ";",
                "INSERT INTO t SELECT 2"));
        assertThat(statements).extracting(SqlScript.Statement::sql).containsExactly(
                "SET 'pipeline.name' = 'a;b ''quoted;'' c'",
                "CREATE TABLE `we;ird` (\"x;y\" INT) WITH ('connector' = 'datagen')",
                "INSERT INTO `we;ird` SELECT 1",
                "INSERT INTO t SELECT 2");
        assertThat(statements).extracting(SqlScript.Statement::line).containsExactly(2, 4, 6, 8);
        assertThat(statements).extracting(SqlScript.Statement::kind).containsExactly(SqlScript.Kind.SET,
                SqlScript.Kind.OTHER, SqlScript.Kind.INSERT, SqlScript.Kind.INSERT);
    }

    @Test
    void statementSetsOfBothSpellingsBecomeTheirInserts() {
        List<SqlScript.Statement> statements = parse(String.join("\n",
                "CREATE TABLE t (x INT);",
                "EXECUTE STATEMENT SET BEGIN",
                "  INSERT INTO a SELECT 1;",
                "  INSERT INTO b SELECT ';';",
                "END;",
                "BEGIN STATEMENT SET;",
                "INSERT INTO c SELECT 3;",
                "END;",
                "EXECUTE INSERT INTO d SELECT 4;"));
        assertThat(statements).extracting(SqlScript.Statement::sql).containsExactly("CREATE TABLE t (x INT)",
                "INSERT INTO a SELECT 1", "INSERT INTO b SELECT ';'", "INSERT INTO c SELECT 3",
                "INSERT INTO d SELECT 4");
        assertThat(statements).extracting(SqlScript.Statement::line).containsExactly(1, 3, 4, 7, 9);
    }

    @Test
    void queriesAreToldApartFromInserts() {
        assertThat(parse("SELECT 1; WITH x AS (SELECT 1) SELECT * FROM x; RESET 'a'"))
                .extracting(SqlScript.Statement::kind)
                .containsExactly(SqlScript.Kind.QUERY, SqlScript.Kind.QUERY, SqlScript.Kind.RESET);
    }

    @Test
    void unterminatedPartsFailNamingTheLineTheyOpen() {
        assertThatThrownBy(() -> parse("SELECT 1;\nSET 'a' = 'b;\n"))
                .isInstanceOf(ConfigException.class).hasMessage("s.sql line 2: a string ('...') is never closed");
        assertThatThrownBy(() -> parse("SELECT 1;\n\n/* open"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line 3: a /* comment is never closed");
        assertThatThrownBy(() -> parse("EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line 1: the statement set has no END");
        assertThatThrownBy(() -> parse("BEGIN STATEMENT SET;\nCREATE TABLE x (a INT);\nEND;"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 2: a statement set holds INSERT statements only");
    }
}
