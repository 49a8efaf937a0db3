package io.leafembed.sql;

/**
 * A text the model refuses (NULL, empty, over the size limit, unknown role, failing alone), thrown
 * when {@code error-handling-strategy} is failover. The message says why and how to keep the
 * query running instead.
 */
public final class RefusedTextException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RefusedTextException(String reason) {
        super("leaf-embed refused a text: " + reason + " (error-handling-strategy is failover; set it to"
                + " ignore or null to keep the query running)");
    }
}
