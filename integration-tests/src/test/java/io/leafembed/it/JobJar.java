package io.leafembed.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the shaded job jar as users do: {@code java -jar leaf-embed-job-<version>.jar ...}. */
final class JobJar {

    /** What a run printed and returned. */
    record Run(int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }
    }

    private JobJar() {}

    static Path repoRoot() {
        return Path.of(System.getProperty("leafembed.repoRoot", "..")).toAbsolutePath().normalize();
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("leafembed.jobJar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("job jar " + jar + " missing: run `mvn verify` from the repository root");
        }
        return jar;
    }

    /** The cluster jar (job/target/...-cluster.jar), which a Flink cluster runs with its lib/ jars. */
    static Path clusterJar() {
        Path jar = Path.of(System.getProperty("leafembed.clusterJar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("cluster jar " + jar + " missing: run `mvn verify` from the repository root");
        }
        return jar;
    }

    /**
     * Starts the jar in the repository root with {@code args} and returns at once; standard output
     * and error go to {@code out} and {@code err}; standard input is a pipe the caller may write to
     * or close. For tests that watch or kill the job while it runs.
     */
    static Process start(Path out, Path err, String... args) throws IOException {
        return command(List.of(), args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** Runs the jar in the repository root with {@code args}, feeding {@code stdin} (may be null). */
    static Run run(String stdin, String... args) throws IOException, InterruptedException {
        return runWith(List.of(), stdin, args);
    }

    /** Like {@link #run(String, String...)}, with JVM options (e.g. -Djava.io.tmpdir=DIR) before -jar. */
    static Run runWith(List<String> jvmOptions, String stdin, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("leaf-embed-it", ".out");
        Path err = Files.createTempFile("leaf-embed-it", ".err");
        Process process = command(jvmOptions, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the job jar did not finish in 3 minutes: " + Files.readString(err));
        }
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    /**
     * The command line {@code java [jvmOptions] -jar JAR args} in the repository root, for tests that
     * drive the process themselves (standard input kept open, signals, closed pipes).
     */
    static ProcessBuilder command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repoRoot().toFile());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        return builder;
    }
}
