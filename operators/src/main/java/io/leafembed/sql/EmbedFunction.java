package io.leafembed.sql;

/**
 * EMBED() returning float32 vectors as {@code ARRAY<FLOAT>} (with {@code
 * leaf-embed.embedding.quantization} float32, the default): {@code CREATE FUNCTION embed AS
 * 'io.leafembed.sql.EmbedFunction'}. See {@link EmbedScalarFunction}.
 */
public final class EmbedFunction extends EmbedScalarFunction {

    private static final long serialVersionUID = 1L;

    /** What {@code CREATE FUNCTION} instantiates; the planner then specializes it with the session's settings. */
    public EmbedFunction() {
        this(null);
    }

    private EmbedFunction(EmbeddingSettings settings) {
        super(EmbeddingColumn.FLOAT_ARRAY, settings);
    }

    @Override
    EmbedScalarFunction withSettings(EmbeddingSettings settings) {
        return new EmbedFunction(settings);
    }
}
