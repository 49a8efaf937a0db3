package io.leafembed.sql;

/**
 * EMBED() returning quantized codes as {@code BYTES} (with {@code
 * leaf-embed.embedding.quantization} int8, uint8, binary or ubinary): one byte per dim for
 * int8/uint8, one bit per dim (most significant first) for binary/ubinary, exactly as
 * sentence-transformers packs them. {@code CREATE FUNCTION embed AS
 * 'io.leafembed.sql.EmbedCodesFunction'}. See {@link EmbedScalarFunction}.
 */
public final class EmbedCodesFunction extends EmbedScalarFunction {

    private static final long serialVersionUID = 1L;

    /** What {@code CREATE FUNCTION} instantiates; the planner then specializes it with the session's settings. */
    public EmbedCodesFunction() {
        this(null);
    }

    private EmbedCodesFunction(EmbeddingSettings settings) {
        super(EmbeddingColumn.BYTES, settings);
    }

    @Override
    EmbedScalarFunction withSettings(EmbeddingSettings settings) {
        return new EmbedCodesFunction(settings);
    }
}
