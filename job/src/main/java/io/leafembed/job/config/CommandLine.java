package io.leafembed.job.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the job's command line: {@code --config FILE} (a YAML file of keys), short flags for the
 * common keys ({@code --input}, {@code --model}, {@code --quantization}...), and {@code --<key>
 * VALUE} or {@code --<key>=VALUE} for any key of {@link JobOptions}. Command-line values override
 * the file's.
 */
public final class CommandLine {

    /** Short flags and the key each sets. */
    public static final Map<String, ConfigKey<?>> FLAGS = flags();

    private final Path configFile;
    private final Map<String, String> overrides;
    private final boolean help;

    private CommandLine(Path configFile, Map<String, String> overrides, boolean help) {
        this.configFile = configFile;
        this.overrides = overrides;
        this.help = help;
    }

    private static Map<String, ConfigKey<?>> flags() {
        Map<String, ConfigKey<?>> flags = new LinkedHashMap<>();
        flags.put("input", JobOptions.INPUT_FILE);
        flags.put("output", JobOptions.OUTPUT_FILE);
        flags.put("dead-letters", JobOptions.OUTPUT_DEAD_LETTER_FILE);
        flags.put("format", JobOptions.INPUT_FORMAT);
        flags.put("model", JobOptions.MODEL_DIR);
        flags.put("onnx-variant", JobOptions.MODEL_ONNX_VARIANT);
        flags.put("onnx", JobOptions.MODEL_ONNX_FILE);
        flags.put("tokenizer", JobOptions.MODEL_TOKENIZER_FILE);
        flags.put("max-length", JobOptions.MODEL_MAX_LENGTH);
        flags.put("truncate-dim", JobOptions.EMBEDDING_TRUNCATE_DIM);
        flags.put("quantization", JobOptions.EMBEDDING_QUANTIZATION);
        flags.put("role", JobOptions.INPUT_DEFAULT_ROLE);
        flags.put("encoding", JobOptions.OUTPUT_ENCODING);
        flags.put("parallelism", JobOptions.RUNTIME_PARALLELISM);
        flags.put("threads", JobOptions.RUNTIME_INTRA_OP_THREADS);
        return flags;
    }

    /** Parses {@code args}; a ConfigException names an unknown flag and the closest valid one. */
    public static CommandLine parse(String[] args) {
        Path config = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "': options look like --input FILE"
                        + " (see --help)");
            }
            String option = arg.substring(2);
            String value;
            int eq = option.indexOf('=');
            String name = eq >= 0 ? option.substring(0, eq) : option;
            if (eq >= 0) {
                value = option.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new ConfigException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (name.equals("config")) {
                config = Path.of(value);
            } else if (FLAGS.containsKey(name)) {
                overrides.put(FLAGS.get(name).name(), value);
            } else if (JobOptions.ALL.stream().anyMatch(k -> k.name().equals(name))
                    || name.startsWith(JobOptions.KAFKA_PROPERTIES_PREFIX) || name.startsWith(FlinkSettings.PREFIX)) {
                overrides.put(name, value);
            } else {
                List<String> known = new ArrayList<>(FLAGS.keySet());
                known.add("config");
                JobOptions.ALL.forEach(k -> known.add(k.name()));
                throw new ConfigException("unknown option --" + name
                        + ClosestMatch.of(name, known).map(k -> ": did you mean --" + k + "?")
                                .orElse(" (see --help)"));
            }
        }
        return new CommandLine(config, overrides, help);
    }

    /** The resolved configuration: defaults, then --config's file, then the other options. */
    public JobConfig config() {
        return JobConfig.load(configFile, overrides);
    }

    public boolean helpRequested() {
        return help;
    }

    /** The --help text: usage, short flags and every key with its default and description. */
    public static String usage() {
        StringBuilder out = new StringBuilder();
        out.append("Usage: java -jar leaf-embed-job.jar [--config FILE.yaml] [options]\n\n")
                .append("Without Kafka settings the job runs on a local Flink MiniCluster over --input\n")
                .append("(a file or - for stdin) and writes JSON lines to --output (default stdout).\n")
                .append("Without --model or --onnx it uses the bundled int8 all-MiniLM-L6-v2.\n\nShort options:\n");
        FLAGS.forEach((flag, key) -> out.append(String.format("  --%-14s = --%s%n", flag, key.name())));
        out.append("\nAll keys (--key VALUE, or nested in the YAML file):\n");
        for (ConfigKey<?> key : JobOptions.ALL) {
            out.append(String.format("  %-28s default %-10s %s%n", key.name(),
                    key.defaultValue() == null ? "(unset)" : key.defaultValue(), key.description()));
        }
        out.append(String.format("  %-28s %s%n", "kafka.properties.<name>", "Any Kafka client property."))
                .append(String.format("  %-28s %s%n", "flink.<key>", "Any Flink configuration key (e.g."
                        + " --flink.restart-strategy.type none); also read: $FLINK_CONF_DIR/config.yaml."));
        return out.toString();
    }
}
