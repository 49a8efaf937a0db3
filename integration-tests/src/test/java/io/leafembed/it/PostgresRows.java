package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads an embeddings table the job or a SQL script filled (id, embedding, model, dims, dtype) back
 * by id, checking on the way what every row must hold: the expected dims and dtype, a model name,
 * and each id once.
 */
final class PostgresRows {

    private PostgresRows() {}

    /** id -> vector of a {@code real[]} table. */
    static Map<String, float[]> vectors(PostgresServer postgres, String table, int dims) throws Exception {
        Map<String, float[]> out = new HashMap<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT id, embedding, dims, dtype, model FROM " + table)) {
            while (rows.next()) {
                Float[] boxed = (Float[]) rows.getArray(2).getArray();
                float[] v = new float[boxed.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = boxed[i];
                }
                check(rows, dims, "float32");
                assertThat(out.put(rows.getString(1), v)).as("id %s twice", rows.getString(1)).isNull();
            }
        }
        return out;
    }

    /** id -> codes of a {@code bytea} table. */
    static Map<String, byte[]> codes(PostgresServer postgres, String table, int dims, String dtype) throws Exception {
        Map<String, byte[]> out = new HashMap<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT id, embedding, dims, dtype, model FROM " + table)) {
            while (rows.next()) {
                check(rows, dims, dtype);
                assertThat(out.put(rows.getString(1), rows.getBytes(2))).as("id %s twice", rows.getString(1))
                        .isNull();
            }
        }
        return out;
    }

    private static void check(ResultSet row, int dims, String dtype) throws Exception {
        assertThat(row.getInt(3)).as("dims of %s", row.getString(1)).isEqualTo(dims);
        assertThat(row.getString(4)).as("dtype of %s", row.getString(1)).isEqualTo(dtype);
        assertThat(row.getString(5)).as("model of %s", row.getString(1)).isNotBlank();
    }
}
