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
        flags.put("sql", JobOptions.SQL_FILE);
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
            int eq = option.indexOf('=');
            String name = eq >= 0 ? option.substring(0, eq) : option;
            // the name first: an unknown option must not be reported as missing its value
            String key = keyOf(name);
            String value;
            if (eq >= 0) {
                value = option.substring(eq + 1);
            } else {
                if (i + 1 >= args.length || isOption(args[i + 1])) {
                    throw new ConfigException("option --" + name + " needs a value (--" + name + " VALUE or --"
                            + name + "=VALUE)");
                }
                value = args[++i];
            }
            if (key == null) {
                config = Path.of(value);
            } else {
                overrides.put(key, value);
            }
        }
        return new CommandLine(config, overrides, help);
    }

    /** The key {@code --name} sets; null for --config; a ConfigException for an unknown name. */
    private static String keyOf(String name) {
        if (name.equals("config")) {
            return null;
        }
        if (FLAGS.containsKey(name)) {
            return FLAGS.get(name).name();
        }
        if (JobOptions.ALL.stream().anyMatch(k -> k.name().equals(name))
                || name.startsWith(JobOptions.KAFKA_PROPERTIES_PREFIX)
                        && name.length() > JobOptions.KAFKA_PROPERTIES_PREFIX.length()
                || name.startsWith(FlinkSettings.PREFIX) && name.length() > FlinkSettings.PREFIX.length()) {
            return name;
        }
        List<String> known = new ArrayList<>(FLAGS.keySet());
        known.add("config");
        JobOptions.ALL.forEach(k -> known.add(k.name()));
        throw new ConfigException("unknown option --" + name
                + ClosestMatch.of(name, known).map(k -> ": did you mean --" + k + "?").orElse(" (see --help)"));
    }

    /**
     * Whether {@code arg} is the next option rather than a value: {@code --input --output x} is a
     * forgotten value, not an input file named --output. A lone - (standard input) is a value.
     */
    private static boolean isOption(String arg) {
        return arg.startsWith("--") && arg.length() > 2 || arg.equals("-h");
    }

    /** The resolved configuration: defaults, then --config's file, then the other options. */
    public JobConfig config() {
        return JobConfig.load(configFile, overrides);
    }

    public boolean helpRequested() {
        return help;
    }

    /**
     * The --help text: usage, short flags, every key with its default, description and allowed
     * values, the Kafka client properties family, and the exit codes.
     */
    public static String usage() {
        StringBuilder out = new StringBuilder();
        out.append("Usage: java -jar leaf-embed-job.jar [--config FILE.yaml] [options]\n\n")
                .append("Without Kafka settings the job runs on a local Flink MiniCluster over --input (a file,\n")
                .append("or - for standard input, embedded line by line as lines arrive) and writes JSON lines\n")
                .append("to --output (default standard output); dead letters and logs go to standard error.\n")
                .append("Blank lines are skipped and counted (--input.skip-blank-lines false: dead letters).\n")
                .append("Without --model or --onnx it uses the bundled int8 all-MiniLM-L6-v2.\n")
                .append("With --sql FILE it runs a Flink SQL script instead (CREATE MODEL ... WITH ('provider' =\n")
                .append("'leaf-embed'), ML_PREDICT, EMBED(), Kafka and PostgreSQL tables; see README.md).\n\n")
                .append("Short options:\n");
        FLAGS.forEach((flag, key) -> out.append(String.format("  --%-14s = --%s%n", flag, key.name())));
        out.append("\nAll keys (--key VALUE or --key=VALUE, or nested in the YAML file):\n");
        for (ConfigKey<?> key : JobOptions.ALL) {
            out.append(String.format("  %-28s default %-10s %s%s%n", key.name(),
                    key.defaultValue() == null ? "(unset)" : key.defaultValue(), key.description(),
                    key.choices().isEmpty() ? "" : " One of: " + String.join(", ", key.choices()) + "."));
        }
        out.append(String.format("  %-28s default %-10s %s%n", JobOptions.KAFKA_PROPERTIES_PREFIX + "<name>",
                "(unset)", "Any Kafka client property, passed to the source and both sinks"
                        + " (e.g. kafka.properties.security.protocol SASL_SSL). Values are never logged."));
        out.append(String.format("  %-28s default %-10s %s%n", FlinkSettings.PREFIX + "<key>", "(unset)",
                "Any Flink configuration key (e.g. --flink.restart-strategy.type none); also read:"
                        + " $FLINK_CONF_DIR/config.yaml."));
        out.append("\nExit codes: 0 done; 1 the job failed (also: an output cannot be written, e.g. a full disk);\n")
                .append("2 invalid configuration, input/output file or model (the message names the key);\n")
                .append("130 stopped by Ctrl-C (143 by SIGTERM), the output ending with a whole line;\n")
                .append("141 standard output or error is a pipe whose reader went away (e.g. | head).\n");
        return out.toString();
    }
}
