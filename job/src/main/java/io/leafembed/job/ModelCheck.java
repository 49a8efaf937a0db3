package io.leafembed.job;

import io.leafembed.embed.Embedder;
import io.leafembed.embed.EmbedderOptions;
import io.leafembed.job.config.ConfigException;
import io.leafembed.job.config.JobConfig;
import io.leafembed.job.config.JobOptions;
import java.io.PrintStream;
import java.util.Map;

/**
 * Opens every configured model once in the client before the job starts, so a missing model, a
 * bad option or a default role the model does not know fails at startup with its message (exit
 * 2) instead of in every task. Only where the client runs the job itself (the embedded
 * MiniCluster): a job submitted to a cluster runs main() in the JobManager, which must not load
 * ONNX Runtime or the tokenizer.
 */
final class ModelCheck {

    private ModelCheck() {}

    /** The first line a run prints: which model it uses. */
    static String describe(JobConfig config) {
        if (config.usesBundledModel()) {
            return "using the bundled int8 all-MiniLM-L6-v2 (" + JobConfig.BUNDLED_MODEL + ", 384 dims,"
                    + " max 256 tokens); pass --model DIR for MongoDB/mdbr-leaf-mt (see README)";
        }
        return config.isSet(JobOptions.MODEL_DIR)
                ? "using the model directory " + config.get(JobOptions.MODEL_DIR)
                : "using the ONNX graph " + config.get(JobOptions.MODEL_ONNX_FILE);
    }

    static void run(JobConfig config, int slotCores, PrintStream log) {
        String defaultRole = config.get(JobOptions.INPUT_DEFAULT_ROLE);
        Map<String, EmbedderOptions> roles = config.roleEmbedderOptions(slotCores);
        check("model", config.embedderOptions(slotCores), roles.containsKey(defaultRole) ? null : defaultRole, log);
        roles.forEach((role, options) -> check(role + " model", options, role.equals(defaultRole) ? role : null, log));
    }

    private static void check(String what, EmbedderOptions options, String defaultRole, PrintStream log) {
        try (Embedder embedder = Embedder.open(options)) {
            log.printf("leaf-embed: %s '%s': %d dims, %s, %s, max %d tokens, roles %s%n", what,
                    embedder.modelId(), embedder.dims(), embedder.normalizes() ? "normalized" : "not normalized",
                    options.quantization(), embedder.maxLength(), embedder.roles());
            if (defaultRole != null && !embedder.roles().contains(defaultRole)) {
                throw new ConfigException("'input.default-role' is '" + defaultRole + "' but model '"
                        + embedder.modelId() + "' knows the roles " + embedder.roles());
            }
        }
    }
}
