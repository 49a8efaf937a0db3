package io.leafembed.it;

/**
 * Stops the servers a test class started (brokers, databases, clusters), every one of them even
 * when an earlier one fails to stop, so that a failed test leaves no process behind; nulls (never
 * started) are skipped. The first failure is thrown after all were tried, later ones suppressed.
 */
final class TestServers {

    private TestServers() {}

    static void closeAll(AutoCloseable... servers) throws Exception {
        Exception first = null;
        for (AutoCloseable server : servers) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
