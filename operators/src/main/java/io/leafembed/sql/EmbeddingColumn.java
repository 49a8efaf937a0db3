package io.leafembed.sql;

import io.leafembed.embed.Embedding;
import io.leafembed.postprocess.Quantization;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * The SQL type of an embedding: {@code ARRAY<FLOAT>} for float32 vectors, {@code BYTES} for the
 * packed codes of int8, uint8, binary and ubinary (one byte per dim, or one bit per dim most
 * significant first, as sentence-transformers packs them). Checks a declared column against the
 * configured quantization and turns an {@link Embedding} into Flink's internal value.
 */
public enum EmbeddingColumn {
    FLOAT_ARRAY("ARRAY<FLOAT>"),
    BYTES("BYTES");

    private final String sql;

    EmbeddingColumn(String sql) {
        this.sql = sql;
    }

    /** The column type a quantization needs. */
    public static EmbeddingColumn of(Quantization quantization) {
        return quantization == Quantization.FLOAT32 ? FLOAT_ARRAY : BYTES;
    }

    /**
     * The kind of a declared column, checked against the quantization.
     *
     * @param what how the column is named in messages, e.g. "output column 'embedding'"
     * @throws ValidationException for any other type, or a type that does not fit {@code quantization}
     */
    public static EmbeddingColumn check(LogicalType type, Quantization quantization, String what) {
        EmbeddingColumn declared = kindOf(type);
        if (declared == null) {
            throw new ValidationException("leaf-embed: " + what + " must be ARRAY<FLOAT> (float32 vectors) or"
                    + " BYTES (int8, uint8, binary or ubinary codes) but is " + type.asSummaryString());
        }
        EmbeddingColumn needed = of(quantization);
        if (declared != needed) {
            throw new ValidationException("leaf-embed: " + what + " is " + type.asSummaryString()
                    + " but 'embedding.quantization' is " + quantization.id() + ", which gives " + needed.sql
                    + (needed == BYTES ? " (packed codes)" : " (float vectors)")
                    + ": declare the column as " + needed.sql + " or set 'embedding.quantization' to "
                    + (needed == BYTES ? "float32" : "int8, uint8, binary or ubinary"));
        }
        return declared;
    }

    private static EmbeddingColumn kindOf(LogicalType type) {
        if (type.getTypeRoot() == LogicalTypeRoot.ARRAY
                && ((ArrayType) type).getElementType().getTypeRoot() == LogicalTypeRoot.FLOAT) {
            return FLOAT_ARRAY;
        }
        // not BINARY(n): a fixed length would pad or cut codes whose length depends on the settings
        if (type.getTypeRoot() == LogicalTypeRoot.VARBINARY) {
            return BYTES;
        }
        return null;
    }

    /** The SQL type EMBED() returns, bridged to the internal value {@link #toInternal} gives. */
    public DataType dataType() {
        return this == FLOAT_ARRAY
                ? DataTypes.ARRAY(DataTypes.FLOAT()).bridgedTo(ArrayData.class)
                : DataTypes.BYTES();
    }

    /** The embedding as Flink's internal value: {@link ArrayData} of floats, or the code bytes. */
    public Object toInternal(Embedding embedding) {
        return this == FLOAT_ARRAY ? new GenericArrayData(embedding.vector()) : embedding.codes();
    }
}
