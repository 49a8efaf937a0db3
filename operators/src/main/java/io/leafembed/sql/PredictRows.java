package io.leafembed.sql;

import io.leafembed.embed.Embedder;
import java.util.Collection;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;

/**
 * The rows ML_PREDICT gets back for one input row, shared by the synchronous and asynchronous
 * predict functions: the model's single output column (the embedding), or, for a refused text,
 * what {@link ErrorHandlingStrategy} says (no row, a row with NULL, or an exception).
 */
final class PredictRows {

    private PredictRows() {}

    /** The text of the ML_PREDICT input row (its one feature column), or null. */
    static String text(RowData features) {
        return features.isNullAt(0) ? null : features.getString(0).toString();
    }

    static Collection<RowData> embedded(EmbeddingInstance instance, EmbeddingColumn column, Embedder.Outcome outcome,
            String text) {
        if (outcome.failed()) {
            return refused(instance, "embedding failed for this text alone: " + outcome.failure(), text);
        }
        instance.embedded(outcome.embedding().truncated());
        return List.of(GenericRowData.of(column.toInternal(outcome.embedding())));
    }

    static Collection<RowData> refused(EmbeddingInstance instance, String reason, String text) {
        instance.refused(reason, text);
        return instance.settings().errorHandling() == ErrorHandlingStrategy.NULL
                ? List.of(GenericRowData.of((Object) null))
                : List.of();
    }
}
