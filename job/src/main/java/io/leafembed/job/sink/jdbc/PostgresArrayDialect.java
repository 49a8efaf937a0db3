package io.leafembed.job.sink.jdbc;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.connector.jdbc.core.database.dialect.AbstractDialect;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * PostgreSQL for Flink SQL's JDBC connector, as flink-connector-jdbc-postgres 4.0 has it (upsert
 * with {@code INSERT ... ON CONFLICT (key) DO UPDATE}, LIMIT, precision ranges), plus writing
 * arrays: {@code ARRAY<FLOAT>} to {@code real[]}, {@code ARRAY<DOUBLE>} to {@code double
 * precision[]}, and arrays of integers, booleans and strings (see {@link PostgresArrayConverter}).
 * An array of another element type is refused when the table is planned, naming the column.
 */
public final class PostgresArrayDialect extends AbstractDialect {

    private static final long serialVersionUID = 1L;

    /** Element types {@link PostgresArrayConverter} writes. */
    static final Set<LogicalTypeRoot> ARRAY_ELEMENTS = EnumSet.of(LogicalTypeRoot.FLOAT, LogicalTypeRoot.DOUBLE,
            LogicalTypeRoot.SMALLINT, LogicalTypeRoot.INTEGER, LogicalTypeRoot.BIGINT, LogicalTypeRoot.BOOLEAN,
            LogicalTypeRoot.CHAR, LogicalTypeRoot.VARCHAR);

    @Override
    public PostgresArrayConverter getRowConverter(RowType rowType) {
        return new PostgresArrayConverter(rowType);
    }

    @Override
    public Optional<String> defaultDriverName() {
        return Optional.of("org.postgresql.Driver");
    }

    @Override
    public String dialectName() {
        return "PostgreSQL";
    }

    @Override
    public String getLimitClause(long limit) {
        return "LIMIT " + limit;
    }

    @Override
    public void validate(RowType rowType) throws ValidationException {
        super.validate(rowType);
        for (RowType.RowField field : rowType.getFields()) {
            LogicalType type = field.getType();
            if (type.getTypeRoot() == LogicalTypeRoot.ARRAY
                    && !ARRAY_ELEMENTS.contains(((ArrayType) type).getElementType().getTypeRoot())) {
                throw new ValidationException("The PostgreSQL dialect writes arrays of FLOAT (real[]), DOUBLE,"
                        + " SMALLINT, INT, BIGINT, BOOLEAN and STRING, but column '" + field.getName() + "' is "
                        + type.asSummaryString());
            }
        }
    }

    /** Postgres upsert: {@code INSERT ... ON CONFLICT (key) DO UPDATE SET col = EXCLUDED.col}. */
    @Override
    public Optional<String> getUpsertStatement(String tableName, String[] fieldNames, String[] uniqueKeyFields) {
        Set<String> keys = new HashSet<>(Arrays.asList(uniqueKeyFields));
        String updates = Arrays.stream(fieldNames)
                .filter(f -> !keys.contains(f))
                .map(f -> quoteIdentifier(f) + "=EXCLUDED." + quoteIdentifier(f))
                .collect(Collectors.joining(", "));
        return Optional.of(getInsertIntoStatement(tableName, fieldNames) + " ON CONFLICT ("
                + Arrays.stream(uniqueKeyFields).map(this::quoteIdentifier).collect(Collectors.joining(", ")) + ")"
                + (updates.isEmpty() ? " DO NOTHING" : " DO UPDATE SET " + updates));
    }

    /** Unquoted, as the stock dialect: PostgreSQL folds the names to lower case. */
    @Override
    public String quoteIdentifier(String identifier) {
        return identifier;
    }

    @Override
    public Optional<Range> decimalPrecisionRange() {
        return Optional.of(Range.of(1, 1000));
    }

    @Override
    public Optional<Range> timestampPrecisionRange() {
        return Optional.of(Range.of(1, 6));
    }

    @Override
    public Set<LogicalTypeRoot> supportedTypes() {
        return EnumSet.of(LogicalTypeRoot.CHAR, LogicalTypeRoot.VARCHAR, LogicalTypeRoot.BOOLEAN,
                LogicalTypeRoot.VARBINARY, LogicalTypeRoot.DECIMAL, LogicalTypeRoot.TINYINT, LogicalTypeRoot.SMALLINT,
                LogicalTypeRoot.INTEGER, LogicalTypeRoot.BIGINT, LogicalTypeRoot.FLOAT, LogicalTypeRoot.DOUBLE,
                LogicalTypeRoot.DATE, LogicalTypeRoot.TIME_WITHOUT_TIME_ZONE,
                LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE, LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE,
                LogicalTypeRoot.ARRAY);
    }
}
