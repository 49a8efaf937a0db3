package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.job.config.CommandLine;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.entrypoint.FlinkParseException;
import org.apache.flink.runtime.entrypoint.parser.CommandLineOptions;
import org.apache.flink.runtime.entrypoint.parser.CommandLineParser;
import org.apache.flink.runtime.entrypoint.parser.ParserResultFactory;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.bash.FlinkConfigLoader;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks docker/ without a container engine (none runs on the build machines): every YAML file
 * parses; the Dockerfile copies only files that exist after {@code mvn package} and that its
 * .dockerignore lets through; the lib/ jars it insists on are exactly job/target/flink-lib; the
 * image's Flink configuration (config/flink/config.yaml plus the Dockerfile's and the compose
 * file's settings, merged by Flink's own loader as the image does) gives valid JobManager and
 * TaskManager memory; the job arguments of the compose file and the FlinkDeployment load through
 * the job's own loader and validation; the FlinkDeployment repeats the cluster configuration (the
 * operator does not read the image's); compose and Kubernetes name only files, services, volumes
 * and claims that exist. Runs the Dockerfile's lib/ check with {@code sh} (docker/download-model.sh
 * has its own test, {@link ModelDownloadScriptITCase}).
 */
class DockerFilesITCase {

    private static final String CONTAINER_CONF = "/opt/flink/conf/config.yaml";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Flink keys that a Kubernetes deployment sets its own way (addresses, ports, the memory in resources). */
    private static final Set<String> SET_BY_KUBERNETES = Set.of("jobmanager.rpc.address", "jobmanager.rpc.port",
            "jobmanager.bind-host", "taskmanager.bind-host", "taskmanager.host", "rest.address", "rest.bind-address",
            "rest.port", "rest.bind-port", "blob.server.port", "query.server.port",
            "jobmanager.memory.process.size", "taskmanager.memory.process.size");

    private static Path root;
    private static Path docker;
    private static Dockerfile dockerfile;
    private static JsonNode compose;
    private static JsonNode deployment;
    private static List<JsonNode> modelDownload;

    @BeforeAll
    static void read() throws IOException {
        root = JobJar.repoRoot();
        docker = root.resolve("docker");
        dockerfile = Dockerfile.read(docker.resolve("Dockerfile"));
        compose = yaml(docker.resolve("docker-compose.yml")).get(0);
        deployment = yaml(docker.resolve("k8s/flinkdeployment.yaml")).get(0);
        modelDownload = yaml(docker.resolve("k8s/model-download.yaml"));
    }

    @Test
    void everyYamlFileParsesToAMap() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(docker)) {
            files = new ArrayList<>(walk.filter(p -> p.toString().matches(".*\\.ya?ml")).sorted().toList());
        }
        files.add(clusterConfig());
        assertThat(files).extracting(p -> docker.relativize(p).toString())
                .contains("docker-compose.yml", "job.yaml", "k8s/flinkdeployment.yaml", "k8s/model-download.yaml");
        for (Path file : files) {
            List<JsonNode> documents = yaml(file);
            assertThat(documents).as(file + ": YAML documents").isNotEmpty()
                    .allSatisfy(d -> assertThat(d.isObject()).as(file + " is a map of keys").isTrue());
        }
        assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.path("kind").asText()).isEqualTo("FlinkDeployment");
    }

    @Test
    void dockerfileCopiesFilesThatExistAndThatTheIgnoreFileSends() throws IOException {
        assertThat(dockerfile.copies()).extracting(Dockerfile.Copy::source).contains(
                "job/target/flink-lib/*.jar", "job/target/leaf-embed-job-0.1.0-SNAPSHOT-cluster.jar",
                "config/flink/config.yaml", "docker/job.yaml", "docker/download-model.sh");
        List<String> ignore = Files.readAllLines(docker.resolve("Dockerfile.dockerignore"));
        assertThat(ignore).as("the build context starts empty").contains("*");
        for (Dockerfile.Copy copy : dockerfile.copies()) {
            assertThat(matching(copy.source())).as("build-context files for COPY " + copy.source()
                    + " (run `mvn -B -ntp package -DskipTests` first)").isNotEmpty();
            assertThat(ignore).as("docker/Dockerfile.dockerignore lets " + copy.source() + " through")
                    .contains("!" + copy.source());
        }
        assertThat(dockerfile.sourceOf("/opt/flink/usrlib/leaf-embed-job-0.1.0-SNAPSHOT-cluster.jar"))
                .contains("job/target/leaf-embed-job-0.1.0-SNAPSHOT-cluster.jar");
        assertThat(dockerfile.sourceOf(CONTAINER_CONF)).contains("config/flink/config.yaml");
    }

    @Test
    void libJarsAreExactlyThoseTheDockerfileExpects(@TempDir Path temp) throws Exception {
        List<Path> libJars = matching("job/target/flink-lib/*.jar");
        List<String> jars = libJars.stream().map(p -> p.getFileName().toString()).sorted().toList();
        assertThat(dockerfile.libPatterns()).as("lib/ patterns in the Dockerfile's check").hasSize(5);
        List<String> problems = new ArrayList<>();
        for (String pattern : dockerfile.libPatterns()) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            List<String> hits = jars.stream().filter(j -> matcher.matches(Path.of(j))).toList();
            if (hits.size() != 1) {
                problems.add("pattern " + pattern + " matches " + hits + " in job/target/flink-lib (needs exactly one)");
            }
        }
        for (String jar : jars) {
            boolean expected = dockerfile.libPatterns().stream()
                    .anyMatch(p -> FileSystems.getDefault().getPathMatcher("glob:" + p).matches(Path.of(jar)));
            if (!expected) {
                problems.add(jar + " is in job/target/flink-lib but no pattern of the Dockerfile's lib/ check expects it");
            }
        }
        assertThat(problems).as("job/target/flink-lib " + jars + " vs the Dockerfile").isEmpty();

        // the Dockerfile's own check, run by sh as docker build runs it: passes on the build's jars
        // and on Flink's lib/ next to them, fails when one is missing
        Path lib = Files.createDirectories(temp.resolve("lib"));
        Files.writeString(lib.resolve("flink-dist-2.2.0.jar"), "stands for Flink's own jars");
        for (Path jar : libJars) {
            Files.copy(jar, lib.resolve(jar.getFileName()));
        }
        String check = dockerfile.libCheck().replace("/opt/flink/lib", lib.toString());
        assertThat(run("sh", "-c", check)).as("the Dockerfile's lib/ check on " + jars).isEqualTo(0);
        Files.delete(lib.resolve(jars.get(0)));
        assertThat(run("sh", "-c", check)).as("the Dockerfile's lib/ check without " + jars.get(0)).isNotEqualTo(0);
    }

    @Test
    void imageConfigurationStartsAJobManagerAndATaskManager(@TempDir Path temp) throws Exception {
        for (String service : List.of("jobmanager", "taskmanager")) {
            Path conf = Files.createDirectories(temp.resolve(service));
            Files.copy(clusterConfig(), conf.resolve("config.yaml"));
            // docker build: the Dockerfile's settings over config/flink/config.yaml, with Flink's own tool
            update(conf, dockerfile.flinkSettings(), dockerfile.removedFlinkKeys());
            // container start: what the image's entrypoint adds, then the service's FLINK_PROPERTIES
            Map<String, String> start = new LinkedHashMap<>();
            start.put("jobmanager.rpc.address", service);
            start.put("blob.server.port", "6124");
            start.put("query.server.port", "6125");
            start.putAll(flinkProperties(compose.path("services").path(service)));
            update(conf, start, List.of());

            Configuration config = GlobalConfiguration.loadConfiguration(conf.toString());
            assertThat(config.getString("jobmanager.rpc.address", null)).as(service + ": JobManager address")
                    .isEqualTo("jobmanager");
            assertThat(config.getString("taskmanager.host", null))
                    .as(service + ": a TaskManager announces its container's address, not a fixed host").isNull();
            assertThat(config.getString("taskmanager.bind-host", "")).as(service + ": listens on every interface")
                    .isEqualTo("0.0.0.0");
            assertThat(config.getString("classloader.parent-first-patterns.additional", ""))
                    .as(service + ": native libraries parent-first").contains("ai.djl.").contains("ai.onnxruntime.");
            String checkpoints = config.getString("execution.checkpointing.dir", "");
            assertThat(checkpoints).as(service + ": checkpoints on the shared state volume")
                    .startsWith("file://" + mountOf(compose.path("services").path(service), "flink-state") + "/");
            // what jobmanager.sh / taskmanager.sh compute before starting the JVM (BashJavaUtils)
            var jm = JobManagerProcessUtils.processSpecFromConfig(config);
            var tm = TaskExecutorProcessUtils.processSpecFromConfig(config);
            System.out.printf("DockerFilesITCase: %s config: JobManager process %s (heap %s), TaskManager process %s"
                    + " (task heap %s, task off-heap %s, managed %s), %d slots%n", service,
                    mib(jm.getTotalProcessMemorySize()), mib(jm.getJvmHeapMemorySize()), mib(tm.getTotalProcessMemorySize()),
                    mib(tm.getTaskHeapSize()), mib(tm.getTaskOffHeapSize()), mib(tm.getManagedMemorySize()),
                    tm.getNumSlots());
        }
    }

    @Test
    void composeJobArgumentsLoadThroughTheJobsOwnValidation(@TempDir Path conf) throws Exception {
        JsonNode jobmanager = compose.path("services").path("jobmanager");
        List<String> command = strings(jobmanager.path("command"));
        assertThat(command).as("application mode: the JobManager runs the job").startsWith("standalone-job");
        int separator = command.indexOf("--");
        // Flink's entrypoint parser (commons-cli, prefix matching) would read a job's --config as
        // its own --configDir: the job's arguments must come after "--"
        assertThat(separator).as("'--' between Flink's options and the job's in " + command).isPositive();
        assertThat(command.subList(0, separator)).containsExactly("standalone-job", "--job-classname",
                "io.leafembed.job.LeafEmbedJob");
        List<String> jobArgs = command.subList(separator + 1, command.size());
        // standalone-job.sh puts --configDir first, then hands everything to BashJavaUtils (JVM
        // memory) and to the entrypoint's parser (commons-cli, Flink's options)
        Files.copy(clusterConfig(), conf.resolve("config.yaml"));
        List<String> entrypointArgs = new ArrayList<>(List.of("--configDir", conf.toString()));
        entrypointArgs.addAll(command.subList(1, command.size()));
        assertThat(FlinkConfigLoader.loadConfiguration(entrypointArgs.toArray(String[]::new))
                .getString("classloader.parent-first-patterns.additional", null)).as("BashJavaUtils reads the config")
                .isNotNull();
        org.apache.commons.cli.CommandLine parsed = entrypointParse(entrypointArgs);
        assertThat(parsed.getOptionValue("job-classname")).isEqualTo("io.leafembed.job.LeafEmbedJob");
        assertThat(parsed.getOptionValues("configDir")).containsExactly(conf.toString());
        assertThat(parsed.getArgList()).as("program arguments").isEqualTo(jobArgs);
        List<String> withoutSeparator = new ArrayList<>(entrypointArgs);
        withoutSeparator.remove("--");
        assertThat(entrypointParse(withoutSeparator).getArgList())
                .as("why the '--': without it Flink takes --config for its --configDir").doesNotContain("--config");
        JobConfig config = jobConfig(jobArgs);

        String bootstrap = config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
        String host = bootstrap.substring(0, bootstrap.indexOf(':'));
        assertThat(compose.path("services").has(host)).as("bootstrap server " + bootstrap + " is a compose service")
                .isTrue();
        assertThat(strings(compose.path("services").path("kafka-init").path("command")).get(0))
                .as("kafka-init creates the job's topics").contains(config.sourceTopics().get(0))
                .contains(config.get(JobOptions.KAFKA_SINK_TOPIC)).contains(config.deadLetterTopic());
        for (String service : List.of("jobmanager", "taskmanager")) {
            String models = mountOf(compose.path("services").path(service), "models");
            assertThat(config.get(JobOptions.MODEL_DIR)).as(service + " mounts the model volume over model.dir")
                    .startsWith(models + "/");
        }
        assertThat(strings(compose.path("services").path("model-download").path("command")))
                .as("the download fills model.dir").contains(config.get(JobOptions.MODEL_DIR));
    }

    @Test
    void flinkDeploymentJobLoadsThroughTheJobsOwnValidation() throws IOException {
        JsonNode job = deployment.path("spec").path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local://"
                + dockerfile.copies().stream().filter(c -> c.source().endsWith("-cluster.jar")).findFirst()
                        .orElseThrow().imagePath());
        assertThat(job.path("entryClass").asText()).isEqualTo("io.leafembed.job.LeafEmbedJob");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        JobConfig config = jobConfig(strings(job.path("args")));
        JsonNode container = deployment.path("spec").path("podTemplate").path("spec").path("containers").get(0);
        assertThat(container.path("name").asText()).isEqualTo("flink-main-container");
        Map<String, String> mounts = new LinkedHashMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
        assertThat(config.get(JobOptions.MODEL_DIR)).startsWith(mounts.get("models") + "/");
        Map<String, String> env = new LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(env).containsEntry("ORT_DISABLE_TELEMETRY", "1").containsEntry("MALLOC_ARENA_MAX", "2");

        // the claims the deployment mounts are the ones model-download.yaml creates and fills
        Set<String> claims = new TreeSet<>();
        deployment.path("spec").path("podTemplate").path("spec").path("volumes")
                .forEach(v -> claims.add(v.path("persistentVolumeClaim").path("claimName").asText()));
        Set<String> created = new TreeSet<>();
        JsonNode downloadJob = null;
        for (JsonNode document : modelDownload) {
            if (document.path("kind").asText().equals("PersistentVolumeClaim")) {
                created.add(document.path("metadata").path("name").asText());
            } else if (document.path("kind").asText().equals("Job")) {
                downloadJob = document;
            }
        }
        assertThat(created).isEqualTo(claims);
        assertThat(downloadJob).as("model-download.yaml has the download Job").isNotNull();
        JsonNode downloader = downloadJob.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(downloader.path("image").asText()).isEqualTo(deployment.path("spec").path("image").asText());
        assertThat(strings(downloader.path("command"))).contains(config.get(JobOptions.MODEL_DIR));
    }

    @Test
    void flinkDeploymentRepeatsTheClusterConfiguration() throws IOException {
        Map<String, String> image = flatten(yaml(clusterConfig()).get(0));
        dockerfile.removedFlinkKeys().forEach(image::remove);
        image.putAll(dockerfile.flinkSettings());
        Map<String, String> operator = flatten(deployment.path("spec").path("flinkConfiguration"));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : image.entrySet()) {
            if (SET_BY_KUBERNETES.contains(e.getKey())) {
                continue;
            }
            String value = operator.get(e.getKey());
            if (value == null) {
                problems.add(e.getKey() + " is missing (image: " + e.getValue() + ")");
            } else if (!sameValue(value, e.getValue())) {
                problems.add(e.getKey() + ": image " + e.getValue() + ", FlinkDeployment " + value);
            }
        }
        assertThat(problems).as("flinkConfiguration vs config/flink/config.yaml + the Dockerfile's settings").isEmpty();
        assertThat(operator).containsKey("classloader.parent-first-patterns.additional");

        // the operator sets jobmanager/taskmanager.memory.process.size from the resources: they must
        // be the process sizes the image's configuration gives, and Flink must accept them together
        // with the memory components repeated above
        Configuration imageConfig = Configuration.fromMap(image);
        Configuration operatorConfig = Configuration.fromMap(operator);
        operatorConfig.setString("jobmanager.memory.process.size", resourceMemory("jobManager"));
        operatorConfig.setString("taskmanager.memory.process.size", resourceMemory("taskManager"));
        assertThat(JobManagerProcessUtils.processSpecFromConfig(operatorConfig).getTotalProcessMemorySize())
                .as("jobManager.resource.memory").isEqualTo(
                        JobManagerProcessUtils.processSpecFromConfig(imageConfig).getTotalProcessMemorySize());
        var tm = TaskExecutorProcessUtils.processSpecFromConfig(operatorConfig);
        var imageTm = TaskExecutorProcessUtils.processSpecFromConfig(imageConfig);
        assertThat(mib(tm.getTotalProcessMemorySize())).as("taskManager.resource.memory")
                .isEqualTo(mib(imageTm.getTotalProcessMemorySize()));
        assertThat(tm.getTaskOffHeapSize()).as("task off-heap (ONNX Runtime's native memory)")
                .isEqualTo(imageTm.getTaskOffHeapSize());
        assertThat(deployment.path("spec").path("taskManager").path("resource").path("cpu").asInt())
                .as("a core per slot").isEqualTo(tm.getNumSlots());
    }

    @Test
    void composeNamesOnlyFilesServicesAndVolumesThatExist() throws IOException {
        JsonNode services = compose.path("services");
        assertThat(fieldNames(services)).contains("kafka", "kafka-init", "producer", "model-download", "jobmanager",
                "taskmanager", "postgres");
        Set<String> volumes = fieldNames(compose.path("volumes"));
        List<String> problems = new ArrayList<>();
        services.properties().forEach(service -> {
            String name = service.getKey();
            JsonNode spec = service.getValue();
            if (spec.has("build")) {
                Path context = docker.resolve(spec.path("build").path("context").asText()).normalize();
                if (!context.equals(root)) {
                    problems.add(name + ": build context " + context + " is not the repository root");
                }
                if (!Files.isRegularFile(context.resolve(spec.path("build").path("dockerfile").asText()))) {
                    problems.add(name + ": no Dockerfile " + spec.path("build").path("dockerfile").asText());
                }
            }
            for (JsonNode volume : spec.path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    if (!Files.exists(docker.resolve(source))) {
                        problems.add(name + ": mounts " + source + ", which does not exist");
                    }
                } else if (!volumes.contains(source)) {
                    problems.add(name + ": volume " + source + " is not declared");
                }
            }
            JsonNode dependsOn = spec.path("depends_on");
            Set<String> needs = dependsOn.isArray() ? new TreeSet<>(strings(dependsOn)) : fieldNames(dependsOn);
            needs.stream().filter(n -> !services.has(n)).forEach(n -> problems.add(name + ": depends on unknown " + n));
        });
        assertThat(problems).isEmpty();
        for (String service : List.of("model-download", "jobmanager", "taskmanager")) {
            assertThat(services.path(service).path("image").asText()).as(service + " runs the leaf-embed image")
                    .isEqualTo(deployment.path("spec").path("image").asText());
            assertThat(services.path(service).has("build")).as(service + " can build it").isTrue();
        }

        JsonNode kafka = services.path("kafka").path("environment");
        assertThat(kafka.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(kafka.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asInt()).isEqualTo(1);
        assertThat(kafka.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asInt()).isEqualTo(1);
        assertThat(services.path("postgres").path("image").asText()).startsWith("postgres:15");
        String init = Files.readString(docker.resolve("postgres/init.sql"), StandardCharsets.UTF_8);
        assertThat(init).containsPattern("(?i)CREATE TABLE IF NOT EXISTS embeddings \\(")
                .containsPattern("(?i)id\\s+TEXT PRIMARY KEY").containsPattern("(?i)embedding\\s+REAL\\[\\]")
                .containsPattern("(?i)\\bmodel\\s+TEXT").containsPattern("(?i)\\bdims\\s+INTEGER")
                .containsPattern("(?i)\\bdtype\\s+TEXT").containsPattern("(?i)updated_at\\s+TIMESTAMPTZ");
        assertThat(strings(services.path("producer").path("command")).get(0))
                .contains("/data/sample-records.jsonl").contains("--topic texts");
    }

    // ---- helpers

    private static Path clusterConfig() {
        Path config = root.resolve("config/flink/config.yaml");
        assertThat(config).as("the cluster configuration config/flink/config.yaml").isRegularFile();
        return config;
    }

    /**
     * The YAML documents of {@code file}, read by SnakeYAML: unlike Jackson's YAML parser it
     * resolves anchors, aliases and merge keys ({@code <<: *image}) as Docker Compose does.
     */
    private static List<JsonNode> yaml(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object document : new org.yaml.snakeyaml.Yaml().loadAll(reader)) {
                if (document != null) {
                    documents.add(JSON.valueToTree(document));
                }
            }
        }
        return documents;
    }

    /** Files under the repository root that a Dockerfile COPY source (a path or a glob) names. */
    private static List<Path> matching(String source) throws IOException {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + source);
        Path base = root.resolve(source.contains("*") ? source.substring(0, source.lastIndexOf('/')) : source)
                .getParent();
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(Files::isRegularFile).filter(p -> matcher.matches(root.relativize(p))).toList();
        }
    }

    private static String mib(MemorySize size) {
        return size.getMebiBytes() + " MiB";
    }

    /** Removes and sets keys of conf/config.yaml with Flink's own tool, as config-parser-utils.sh does. */
    private static void update(Path conf, Map<String, String> settings, List<String> removed) throws Exception {
        List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
        removed.forEach(k -> args.addAll(List.of("-rmKey", k)));
        settings.forEach((k, v) -> args.add("-D" + k + "=" + v));
        List<String> lines = FlinkConfigLoader.loadAndModifyConfiguration(args.toArray(String[]::new));
        Files.write(conf.resolve("config.yaml"), lines, StandardCharsets.UTF_8);
    }

    /** A compose service's FLINK_PROPERTIES as the image's entrypoint reads them (key: value lines). */
    private static Map<String, String> flinkProperties(JsonNode service) {
        Map<String, String> properties = new LinkedHashMap<>();
        String text = service.path("environment").path("FLINK_PROPERTIES").asText("");
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                int colon = line.indexOf(':');
                properties.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return properties;
    }

    /**
     * Parses entrypoint arguments as Flink's cluster entrypoints do ({@link CommandLineParser}: its
     * --configDir and -D options, commons-cli, stopping at the first non-option), with the
     * application entrypoint's --job-classname option added (its class is in flink-dist, which is
     * not on Maven Central).
     */
    private static org.apache.commons.cli.CommandLine entrypointParse(List<String> args) {
        Options options = new Options().addOption(CommandLineOptions.CONFIG_DIR_OPTION)
                .addOption(CommandLineOptions.DYNAMIC_PROPERTY_OPTION)
                .addOption(Option.builder("j").longOpt("job-classname").hasArg().build());
        ParserResultFactory<org.apache.commons.cli.CommandLine> factory = new ParserResultFactory<>() {
            @Override
            public Options getOptions() {
                return options;
            }

            @Override
            public org.apache.commons.cli.CommandLine createResult(org.apache.commons.cli.CommandLine commandLine) {
                return commandLine;
            }
        };
        try {
            return new CommandLineParser<>(factory).parse(args.toArray(String[]::new));
        } catch (FlinkParseException e) {
            throw new AssertionError("Flink's entrypoint parser refuses " + args, e);
        }
    }

    /** The container path a compose service mounts the named volume at. */
    private static String mountOf(JsonNode service, String volume) {
        for (JsonNode mount : service.path("volumes")) {
            String[] parts = mount.asText().split(":");
            if (parts[0].equals(volume)) {
                return parts[1];
            }
        }
        throw new AssertionError("service does not mount volume " + volume + ": " + service.path("volumes"));
    }

    /** Job arguments as the container gets them, the image's config file read from the repository. */
    private static JobConfig jobConfig(List<String> args) {
        List<String> local = new ArrayList<>();
        for (String arg : args) {
            local.add(dockerfile.sourceOf(arg).map(s -> root.resolve(s).toString()).orElse(arg));
        }
        assertThat(local).as("the job's --config is a file the Dockerfile copies").isNotEqualTo(args);
        JobConfig config = CommandLine.parse(local.toArray(String[]::new)).config();
        assertThat(config.isKafka()).as("a Kafka job").isTrue();
        return config;
    }

    private static String resourceMemory(String role) {
        String memory = deployment.path("spec").path(role).path("resource").path("memory").asText();
        assertThat(memory).as(role + ".resource.memory").isNotEmpty();
        return memory;
    }

    /** Equal as text, or as the same duration or memory size written differently (10s / 10000 ms). */
    private static boolean sameValue(String a, String b) {
        if (a.trim().equals(b.trim())) {
            return true;
        }
        try {
            return TimeUtils.parseDuration(a).equals(TimeUtils.parseDuration(b));
        } catch (RuntimeException notDurations) {
            // not both durations
        }
        try {
            return MemorySize.parse(a).equals(MemorySize.parse(b));
        } catch (RuntimeException notSizes) {
            return false;
        }
    }

    /** Nested YAML maps to Flink's dotted keys (config.yaml may nest or write dotted keys). */
    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        node.properties().forEach(e -> {
            JsonNode value = e.getValue();
            if (value.isObject()) {
                flatten(prefix + e.getKey() + ".", value, out);
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(v -> items.add(v.asText()));
                out.put(prefix + e.getKey(), String.join(";", items));
            } else {
                out.put(prefix + e.getKey(), value.asText());
            }
        });
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(v -> out.add(v.asText()));
        } else if (!array.isMissingNode()) {
            out.add(array.asText());
        }
        return out;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command) + " ends").isTrue();
        return process.exitValue();
    }
}
