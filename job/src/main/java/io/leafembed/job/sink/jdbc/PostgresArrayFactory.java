package io.leafembed.job.sink.jdbc;

import org.apache.flink.connector.jdbc.core.database.JdbcFactory;
import org.apache.flink.connector.jdbc.core.database.catalog.JdbcCatalog;
import org.apache.flink.connector.jdbc.core.database.dialect.JdbcDialect;

/**
 * The JDBC connector's factory for {@code jdbc:postgresql:} URLs in Flink SQL ({@code 'connector'
 * = 'jdbc'} tables), registered in {@code META-INF/services}. It replaces
 * flink-connector-jdbc-postgres, whose dialect refuses to write ARRAY columns: {@link
 * PostgresArrayDialect} writes {@code ARRAY<FLOAT>} into {@code real[]}. The connector's loader
 * insists on exactly one factory per URL, so the job depends on flink-connector-jdbc-core only.
 * The Postgres JDBC catalog is not offered (declare tables with CREATE TABLE).
 */
public final class PostgresArrayFactory implements JdbcFactory {

    @Override
    public boolean acceptsURL(String url) {
        return url.startsWith("jdbc:postgresql:");
    }

    @Override
    public JdbcDialect createDialect() {
        return new PostgresArrayDialect();
    }

    @Override
    public JdbcCatalog createCatalog(ClassLoader classLoader, String catalogName, String defaultDatabase,
            String username, String pwd, String baseUrl) {
        throw new UnsupportedOperationException("leaf-embed's PostgreSQL dialect offers no JDBC catalog: declare"
                + " the table with CREATE TABLE ... WITH ('connector' = 'jdbc', 'url' = '" + baseUrl + "', ...)");
    }
}
