package io.leafembed.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A Flink 2.2 standalone session cluster as separate JVM processes: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}),
 * started as Flink's bin/jobmanager.sh and bin/taskmanager.sh start them: memory flags from
 * {@code BashJavaUtils}, {@code env.java.opts.all} from the configuration, the environment
 * variables config/flink/config.yaml asks for, and a classpath of what a distribution's lib/
 * holds (Maven Central jars, integration-tests/flink-dist-lib) plus leaf-embed's
 * job/target/flink-lib jars, as an operator puts them into $FLINK_HOME/lib.
 *
 * <p>The configuration is config/flink/config.yaml itself, copied with only its ports and
 * directories changed. Logs go to {@code log/} (jobmanager.log, taskmanager-N.log and their
 * .out files).
 */
final class FlinkStandaloneCluster implements AutoCloseable {

    private static final String BASH_JAVA_UTILS_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final Path home;
    private final Path confDir;
    private final Path logDir;
    private final String classpath;
    private final int restPort;
    private final Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private List<String> taskManagerArgs;

    private FlinkStandaloneCluster(Path home, Path confDir, String classpath, int restPort, Process jobManager) {
        this.home = home;
        this.confDir = confDir;
        this.logDir = home.resolve("log");
        this.classpath = classpath;
        this.restPort = restPort;
        this.jobManager = jobManager;
    }

    /** Writes the configuration and starts the JobManager; returns once its REST API answers. */
    static FlinkStandaloneCluster start(Path home, Path configYaml) throws Exception {
        Path distLib = requireDirectory("leafembed.flinkDistLib");
        Path flinkLib = requireDirectory("leafembed.flinkLib");
        Path conf = home.resolve("conf");
        Files.createDirectories(conf);
        Files.createDirectories(home.resolve("log"));
        int restPort = FreePorts.next();
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("jobmanager.rpc.port", String.valueOf(FreePorts.next()));
        overrides.put("rest.port", String.valueOf(restPort));
        overrides.put("execution.checkpointing.dir", home.resolve("checkpoints").toUri().toString());
        overrides.put("execution.checkpointing.savepoint-dir", home.resolve("savepoints").toUri().toString());
        overrides.put("io.tmp.dirs", Files.createDirectories(home.resolve("tmp")).toString());
        overrides.put("web.tmpdir", Files.createDirectories(home.resolve("web")).toString());
        Files.writeString(conf.resolve("config.yaml"), withOverrides(Files.readString(configYaml), overrides));
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.name = file",
                "appender.file.type = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));
        String classpath = distLib + "/*" + java.io.File.pathSeparator + flinkLib + "/*";
        List<String> jmArgs = resourceParams(classpath, conf, "GET_JM_RESOURCE_PARAMS");
        Process jm = startProcess(home, conf, classpath, "jobmanager", jmArgs.get(0),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                List.of("--configDir", conf.toString(), "--executionMode", "cluster"), jmArgs.get(1));
        FlinkStandaloneCluster cluster = new FlinkStandaloneCluster(home, conf, classpath, restPort, jm);
        try {
            cluster.rest().awaitUp(jm, 90);
        } catch (Exception e) {
            String log = Logs.tail(cluster.logDir.resolve("jobmanager.log"), 40) + "\n"
                    + Logs.tail(cluster.logDir.resolve("jobmanager.out"), 40);
            cluster.close();
            throw new IllegalStateException("the JobManager did not come up:\n" + log, e);
        }
        return cluster;
    }

    /**
     * {@code configYaml} with each key of {@code overrides} replaced (or added): the file's own
     * lines stay as they are, so the test runs the configuration users get.
     */
    static String withOverrides(String configYaml, Map<String, String> overrides) {
        StringBuilder out = new StringBuilder();
        for (String line : configYaml.split("\n", -1)) {
            boolean overridden = overrides.keySet().stream()
                    .anyMatch(key -> line.matches(Pattern.quote(key) + "\\s*:.*"));
            if (!overridden) {
                out.append(line).append('\n');
            }
        }
        out.append("\n# FlinkClusterITCase: ports and directories of this test run\n");
        overrides.forEach((key, value) -> out.append(key).append(": ").append(value).append('\n'));
        return out.toString();
    }

    private static Path requireDirectory(String property) {
        Path dir = Path.of(System.getProperty(property, "missing-" + property));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(property + " = " + dir + " is missing: run `mvn verify` from the repository root");
        }
        return dir;
    }

    /** Flink's own computation of the JVM memory flags and the -D settings, as its scripts do. */
    private static List<String> resourceParams(String classpath, Path conf, String command) throws Exception {
        Process p = new ProcessBuilder(javaBinary(), "-cp", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils",
                command, "--configDir", conf.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + output);
        }
        List<String> results = output.lines().filter(l -> l.startsWith(BASH_JAVA_UTILS_PREFIX))
                .map(l -> l.substring(BASH_JAVA_UTILS_PREFIX.length()).trim()).toList();
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " printed no flags:\n" + output);
        }
        return results.subList(results.size() - 2, results.size());
    }

    private static Process startProcess(Path home, Path conf, String classpath, String name, String jvmFlags,
            String mainClass, List<String> args, String dynamicSettings) throws IOException {
        Configuration flink = GlobalConfiguration.loadConfiguration(conf.toString());
        Path tmp = Files.createDirectories(home.resolve("jvm-tmp").resolve(name));
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(Arrays.asList(jvmFlags.split("\\s+")));
        command.addAll(Arrays.asList(flink.get(CoreOptions.FLINK_JVM_OPTIONS).trim().split("\\s+")));
        String ownOptions = flink.get(name.startsWith("taskmanager") ? CoreOptions.FLINK_TM_JVM_OPTIONS
                : CoreOptions.FLINK_JM_JVM_OPTIONS).trim();
        if (!ownOptions.isEmpty()) {
            command.addAll(Arrays.asList(ownOptions.split("\\s+")));
        }
        command.add("-Dlog.file=" + home.resolve("log").resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        command.addAll(Arrays.asList(dynamicSettings.split("\\s+")));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("log").resolve(name + ".out").toFile());
        // what config/flink/config.yaml asks the start script of a standalone cluster to export
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        return builder.start();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts one more TaskManager process (named taskmanager-N in the logs). */
    Process startTaskManager() throws Exception {
        if (taskManagerArgs == null) {
            taskManagerArgs = resourceParams(classpath, confDir, "GET_TM_RESOURCE_PARAMS");
        }
        Process tm = startProcess(home, confDir, classpath, "taskmanager-" + (taskManagers.size() + 1),
                taskManagerArgs.get(0), "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                List.of("--configDir", confDir.toString()), taskManagerArgs.get(1));
        taskManagers.add(tm);
        return tm;
    }

    /** Waits until {@code count} TaskManagers have registered with the JobManager. */
    void awaitTaskManagers(int count) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (rest().overview().path("taskmanagers").asInt() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + count + " TaskManager(s) registered in 60 s");
            }
            Thread.sleep(300);
        }
    }

    /**
     * The distinct files named {@code library} that {@code process} has mapped (/proc/PID/maps):
     * how the tests see which JVM loaded ONNX Runtime or the tokenizer, and how often.
     */
    static java.util.Set<String> mappedCopies(Process process, String library) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(Path.of("/proc", String.valueOf(process.pid()), "maps"))) {
            return lines.map(l -> l.split("\\s+")).filter(f -> f.length >= 6 && f[5].endsWith("/" + library))
                    .map(f -> f[5]).collect(java.util.stream.Collectors.toSet());
        }
    }

    /** Deletes {@code dir} with everything in it, if it exists, and creates it empty. */
    static Path freshDirectory(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    Process jobManager() {
        return jobManager;
    }

    FlinkRest rest() {
        return new FlinkRest("http://localhost:" + restPort);
    }

    Path logDir() {
        return logDir;
    }

    Path savepointDir() {
        return home.resolve("savepoints");
    }

    /** The tail of every log, for a failure report. */
    String logTails(int lines) {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(logDir)) {
            for (Path file : files.sorted().toList()) {
                out.append("\n----- ").append(file).append(" (last ").append(lines).append(" lines)\n")
                        .append(Logs.tail(file, lines));
            }
        } catch (IOException e) {
            out.append("cannot list ").append(logDir).append(": ").append(e);
        }
        return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
        List<Process> all = new ArrayList<>(taskManagers);
        all.add(jobManager);
        for (Process p : all) {
            p.destroy();
        }
        for (Process p : all) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
