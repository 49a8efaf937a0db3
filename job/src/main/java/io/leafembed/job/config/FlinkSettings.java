package io.leafembed.job.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ClusterOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.RpcOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.TraceOptions;
import org.apache.flink.configuration.WebOptions;

/**
 * Flink's own configuration keys, given to the job as {@code flink.<key>} (in the YAML file's
 * {@code flink:} section or as {@code --flink.<key> VALUE}): state backend, checkpoint storage
 * details, restart strategy, metric reporters, MiniCluster memory and so on. A key that one of
 * Flink's core option classes declares is parsed with that option's type here, so a bad value
 * fails at startup naming the key; other keys (connector or plugin options, reporter-specific
 * keys) cannot be checked and pass through with a warning. The few Flink keys that leaf-embed
 * sets from its own keys are refused, so no setting is silently overridden.
 */
public final class FlinkSettings {

    /** Prefix of the keys passed to Flink (without it) as they are. */
    public static final String PREFIX = "flink.";

    /** The environment variable naming a directory with Flink's config.yaml (as Flink's own scripts use it). */
    public static final String CONF_DIR_VARIABLE = "FLINK_CONF_DIR";

    /** Option holders whose keys are checked by type; the usual ones a job sets. */
    private static final List<Class<?>> OPTION_CLASSES = List.of(CheckpointingOptions.class,
            StateBackendOptions.class, StateRecoveryOptions.class, StateChangelogOptions.class,
            RestartStrategyOptions.class, MetricOptions.class, TraceOptions.class, TaskManagerOptions.class,
            JobManagerOptions.class, CoreOptions.class, ExecutionOptions.class, BatchExecutionOptions.class,
            PipelineOptions.class, RestOptions.class, WebOptions.class, NettyShuffleEnvironmentOptions.class,
            ClusterOptions.class, DeploymentOptions.class, SecurityOptions.class, HighAvailabilityOptions.class,
            RpcOptions.class, HeartbeatManagerOptions.class);

    /** Known Flink keys (current and deprecated names) and their options. */
    private static final Map<String, ConfigOption<?>> KNOWN = knownOptions();

    /** Flink options that leaf-embed derives from its own keys: set those instead. */
    private static final Map<ConfigOption<?>, String> OWNED = Map.of(
            CoreOptions.DEFAULT_PARALLELISM, JobOptions.RUNTIME_PARALLELISM.name(),
            CheckpointingOptions.CHECKPOINTING_INTERVAL, JobOptions.RUNTIME_CHECKPOINT_INTERVAL_MS.name(),
            CheckpointingOptions.CHECKPOINTS_DIRECTORY, JobOptions.RUNTIME_CHECKPOINT_DIR.name());

    private FlinkSettings() {}

    private static Map<String, ConfigOption<?>> knownOptions() {
        Map<String, ConfigOption<?>> known = new LinkedHashMap<>();
        for (Class<?> holder : OPTION_CLASSES) {
            for (Field field : holder.getFields()) {
                if (!Modifier.isStatic(field.getModifiers()) || !ConfigOption.class.isAssignableFrom(field.getType())) {
                    continue;
                }
                try {
                    ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                    known.putIfAbsent(option.key(), option);
                    for (FallbackKey fallback : option.fallbackKeys()) {
                        known.putIfAbsent(fallback.getKey(), option);
                    }
                } catch (IllegalAccessException e) {
                    // a public static field is readable; skip it if a JVM says otherwise
                }
            }
        }
        return known;
    }

    /**
     * Checks {@code options} (Flink keys without the prefix -> text values): refuses keys leaf-embed
     * owns and values that Flink's typed options cannot parse.
     *
     * @return warnings for keys Flink's core options do not declare (passed on unchecked)
     */
    static List<String> validate(Map<String, String> options) {
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey();
            ConfigOption<?> option = KNOWN.get(key);
            if (option == null) {
                warnings.add("'" + PREFIX + key + "' is not one of Flink's core options; it is passed to Flink"
                        + " unchecked" + ClosestMatch.of(key, KNOWN.keySet())
                                .map(k -> " (did you mean '" + PREFIX + k + "'?)").orElse(""));
                continue;
            }
            String owner = OWNED.get(option);
            if (owner != null) {
                throw new ConfigException("'" + PREFIX + key + "' is set by leaf-embed from '" + owner
                        + "': set '" + owner + "' instead");
            }
            if (e.getValue() == null) {
                throw new ConfigException("'" + PREFIX + key + "' has no value");
            }
            try {
                Configuration.fromMap(Map.of(key, e.getValue())).get(option);
            } catch (RuntimeException invalid) {
                throw new ConfigException("'" + PREFIX + key + "' is not a valid value for Flink's option '"
                        + option.key() + "' but was '" + e.getValue() + "': " + invalid.getMessage(), invalid);
            }
        }
        return warnings;
    }

    /** The {@code flink.*} keys as a Flink Configuration. */
    static Configuration configuration(Map<String, String> options) {
        return Configuration.fromMap(options);
    }

    /**
     * Configuration for an embedded MiniCluster: {@code confDir}'s config.yaml (if confDir is not
     * null), then the {@code flink.*} keys over it.
     */
    static Configuration embedded(String confDir, Map<String, String> options) {
        Configuration configuration = new Configuration();
        if (confDir != null && !confDir.isBlank()) {
            Path file = Path.of(confDir, GlobalConfiguration.FLINK_CONF_FILENAME);
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(CONF_DIR_VARIABLE + " is " + confDir + ", but " + file + " does not exist:"
                        + " point it at a directory holding Flink's " + GlobalConfiguration.FLINK_CONF_FILENAME
                        + ", or unset it");
            }
            try {
                configuration.addAll(GlobalConfiguration.loadConfiguration(confDir));
            } catch (RuntimeException e) {
                throw new ConfigException("cannot read " + file + " (from " + CONF_DIR_VARIABLE + "): "
                        + e.getMessage(), e);
            }
        }
        configuration.addAll(configuration(options));
        return configuration;
    }

    /** Whether a value of {@code key} may be a secret (password, token...), so it is not logged. */
    static boolean isSensitive(String key) {
        return GlobalConfiguration.isSensitive(key);
    }
}
