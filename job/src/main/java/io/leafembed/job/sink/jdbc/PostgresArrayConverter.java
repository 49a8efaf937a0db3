package io.leafembed.job.sink.jdbc;

import java.lang.reflect.Array;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.connector.jdbc.core.database.dialect.AbstractDialectConverter;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeUtils;

/**
 * Converts between Flink's rows and PostgreSQL for {@link PostgresArrayDialect}. Arrays are written
 * with {@code setObject(i, javaArray)}, which pgjdbc (42.2.x+) sends as a typed array: a {@code
 * float[]} as {@code float4[]}, bit for bit, so an {@code ARRAY<FLOAT>} lands in {@code real[]}
 * with every float32 exact. Arrays holding NULL elements go as boxed arrays (pgjdbc writes NULL
 * elements for those). Reading arrays back is the stock dialect's way. {@code TIMESTAMP_LTZ}
 * (which the base converter lacks) is written as an instant, for {@code timestamptz} columns.
 */
public final class PostgresArrayConverter extends AbstractDialectConverter {

    private static final long serialVersionUID = 1L;

    PostgresArrayConverter(RowType rowType) {
        super(rowType);
    }

    @Override
    public String converterName() {
        return "PostgreSQL";
    }

    @Override
    protected JdbcSerializationConverter createNullableExternalConverter(LogicalType type) {
        if (type.getTypeRoot() == LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
            // an instant: timestamptz (e.g. CURRENT_TIMESTAMP into updated_at), as UTC so no zone shifts it
            // (the base class's null wrapper does not know this type's SQL type)
            int precision = ((LocalZonedTimestampType) type).getPrecision();
            return (row, index, statement) -> {
                if (row == null || row.isNullAt(index)) {
                    statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    statement.setObject(index, OffsetDateTime.ofInstant(row.getTimestamp(index, precision).toInstant(),
                            ZoneOffset.UTC));
                }
            };
        }
        if (type.getTypeRoot() == LogicalTypeRoot.ARRAY) {
            LogicalType element = ((ArrayType) type).getElementType();
            return wrapIntoNullableExternalConverter(
                    (row, index, statement) -> statement.setObject(index, toJava(row.getArray(index), element)), type);
        }
        return super.createNullableExternalConverter(type);
    }

    /** A Flink array as the Java array pgjdbc maps to the matching PostgreSQL array type. */
    static Object toJava(ArrayData array, LogicalType element) {
        int n = array.size();
        boolean nulls = false;
        for (int i = 0; i < n && !nulls; i++) {
            nulls = array.isNullAt(i);
        }
        switch (element.getTypeRoot()) {
            case FLOAT:
                if (!nulls) {
                    return array.toFloatArray();
                }
                break;
            case DOUBLE:
                if (!nulls) {
                    return array.toDoubleArray();
                }
                break;
            case SMALLINT:
                if (!nulls) {
                    return array.toShortArray();
                }
                break;
            case INTEGER:
                if (!nulls) {
                    return array.toIntArray();
                }
                break;
            case BIGINT:
                if (!nulls) {
                    return array.toLongArray();
                }
                break;
            case BOOLEAN:
                if (!nulls) {
                    return array.toBooleanArray();
                }
                break;
            case CHAR:
            case VARCHAR:
                String[] strings = new String[n];
                for (int i = 0; i < n; i++) {
                    StringData s = array.isNullAt(i) ? null : array.getString(i);
                    strings[i] = s == null ? null : s.toString();
                }
                return strings;
            default:
                throw new IllegalStateException("PostgreSQL arrays of " + element.asSummaryString()
                        + " are not written (the dialect refuses them at planning)");
        }
        // boxed, so NULL elements stay NULL
        ArrayData.ElementGetter getter = ArrayData.createElementGetter(element);
        Object boxed = Array.newInstance(LogicalTypeUtils.toInternalConversionClass(element), n);
        for (int i = 0; i < n; i++) {
            Array.set(boxed, i, getter.getElementOrNull(array, i));
        }
        return boxed;
    }

    @Override
    public JdbcDeserializationConverter createInternalConverter(LogicalType type) {
        if (type.getTypeRoot() == LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
            return value -> value instanceof OffsetDateTime odt ? TimestampData.fromInstant(odt.toInstant())
                    : TimestampData.fromInstant(((Timestamp) value).toInstant());
        }
        if (type.getTypeRoot() != LogicalTypeRoot.ARRAY) {
            return super.createInternalConverter(type);
        }
        LogicalType element = ((ArrayType) type).getElementType();
        Class<?> elementClass = LogicalTypeUtils.toInternalConversionClass(element);
        JdbcDeserializationConverter elementConverter = createNullableInternalConverter(element);
        return value -> {
            Object[] in = (Object[]) ((java.sql.Array) value).getArray();
            Object[] out = (Object[]) Array.newInstance(elementClass, in.length);
            for (int i = 0; i < in.length; i++) {
                out[i] = elementConverter.deserialize(in[i]);
            }
            return new GenericArrayData(out);
        };
    }
}
