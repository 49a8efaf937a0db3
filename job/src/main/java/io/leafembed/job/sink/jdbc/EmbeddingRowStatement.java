package io.leafembed.job.sink.jdbc;

import io.leafembed.function.EmbedResult;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * Fills {@link PostgresTable#upsertStatement}'s parameters from one embedded record: the id, the
 * vector as a {@code float[]} (pgjdbc sends it as {@code real[]}, all 32 bits of every float) or
 * the codes as {@code bytea}, the model, dims and dtype. {@code updated_at} is the server's
 * {@code now()}.
 */
final class EmbeddingRowStatement implements JdbcStatementBuilder<EmbedResult> {

    private static final long serialVersionUID = 1L;

    @Override
    public void accept(PreparedStatement statement, EmbedResult result) throws SQLException {
        statement.setString(1, result.id());
        if (result.codes() != null) {
            statement.setBytes(2, result.codes());
        } else {
            statement.setObject(2, result.vector());
        }
        statement.setString(3, result.modelId());
        statement.setInt(4, result.dims());
        statement.setString(5, result.quantization());
    }
}
