package io.leafembed.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for one test class: {@code initdb} into a fresh temporary
 * directory, {@code pg_ctl start} on a free port (TCP on 127.0.0.1 and a socket in that
 * directory, trust authentication, fsync off), {@link #close()} stops it ({@code -m immediate})
 * and deletes the directory; a shutdown hook does the same if the JVM ends first.
 *
 * <p>PostgreSQL refuses to run as root: as root the server runs as the {@code postgres} user the
 * Debian package creates ({@code runuser -u postgres --}), with its directory under /tmp, which
 * that user can reach (not under /root). The server binaries come from the Debian package
 * {@code postgresql} (PostgreSQL 15 on Debian 12, /usr/lib/postgresql/15/bin); without them
 * {@link #start()} fails, naming the package, so a missing prerequisite is never a skipped test.
 */
final class PostgresServer implements AutoCloseable {

    private static final Path DEBIAN_BINARIES = Path.of("/usr/lib/postgresql");
    private static final String USER = "postgres";

    private final Path bin;
    private final Path base;
    private final int port;
    private final boolean asRoot;
    private final Thread hook;
    private boolean stopped;

    private PostgresServer(Path bin, Path base, int port, boolean asRoot) {
        this.bin = bin;
        this.base = base;
        this.port = port;
        this.asRoot = asRoot;
        this.hook = new Thread(this::stopQuietly, "stop PostgreSQL test server");
    }

    /** Initializes and starts a server; fails naming the package to install if there is none. */
    static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        // root: under /tmp, which the postgres user can reach; else the usual temp folder
        Path base = asRoot ? Files.createTempDirectory(Path.of("/tmp"), "leafembed-pg")
                : Files.createTempDirectory("leafembed-pg");
        PostgresServer server = new PostgresServer(bin, base, freePort(), asRoot);
        Runtime.getRuntime().addShutdownHook(server.hook);
        try {
            server.boot();
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static Path binaries() throws IOException {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(DEBIAN_BINARIES)) {
            try (Stream<Path> versions = Files.list(DEBIAN_BINARIES)) {
                versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))
                        && Files.isExecutable(b.resolve("pg_ctl"))).forEach(found::add);
            }
        }
        // the newest major version installed
        return found.stream().max(Comparator.comparingInt(b -> Integer.parseInt(
                b.getParent().getFileName().toString().replaceAll("\\D", "0")))).orElseThrow(
                        () -> new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found under "
                                + DEBIAN_BINARIES + "/<version>/bin: install the Debian package postgresql"
                                + " (apt-get install postgresql; .ci/run installs it) to run the PostgreSQL tests"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void boot() throws IOException, InterruptedException {
        Files.createDirectories(base.resolve("socket"));
        if (asRoot) {
            run(List.of("chown", "-R", USER + ":", base.toString()), false);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data(), "-U", USER, "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync"), true);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-l", base.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + base.resolve("socket")
                        + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                        + " -c full_page_writes=off -c max_connections=50", "start"), true);
    }

    private String data() {
        return base.resolve("data").toString();
    }

    /** Runs {@code command} (as the postgres user when root and {@code asServerUser}); fails with its output. */
    private void run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asRoot && asServerUser) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(command);
        Path output = Files.createTempFile("leafembed-pg", ".out");
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile())
                    .directory(base.toFile()).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " did not finish in 2 minutes");
            }
            if (process.exitValue() != 0) {
                String log = Files.exists(base.resolve("server.log"))
                        ? "\nserver log:\n" + Files.readString(base.resolve("server.log"), StandardCharsets.UTF_8) : "";
                throw new IllegalStateException(String.join(" ", full) + " failed (exit " + process.exitValue() + "):\n"
                        + Files.readString(output, StandardCharsets.UTF_8) + log);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    int port() {
        return port;
    }

    /** The JDBC URL of the {@code postgres} database. */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    String user() {
        return USER;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    /** Runs SQL statements (DDL, cleanup) in autocommit mode. */
    void execute(String... statements) throws SQLException {
        try (Connection c = connect(); var s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (Files.exists(base.resolve("data").resolve("postmaster.pid"))) {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "-w", "stop"), true);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not stop the PostgreSQL test server in " + base + ": " + e);
        }
        deleteTree(base);
    }

    /** Deletes the server's directory; what cannot be deleted stays in the temp folder. */
    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // stays behind
                }
            });
        } catch (IOException e) {
            // stays behind
        }
    }
}
