package io.leafembed.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.job.config.CommandLine;
import io.leafembed.job.config.ConfigKey;
import io.leafembed.job.config.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps README.md true: every configuration key and short option is documented with its default. */
class ReadmeTest {

    private static String readme() throws Exception {
        return Files.readString(Path.of("..", "README.md"));
    }

    @Test
    void documentsEveryKeyWithItsDefault() throws Exception {
        String readme = readme();
        for (ConfigKey<?> key : JobOptions.ALL) {
            String row = "| `" + key.name() + "` | "
                    + (key.defaultValue() == null ? "-" : "`" + key.defaultValue() + "`") + " |";
            assertThat(readme).as("README row for %s", key.name()).contains(row);
        }
        for (String flag : CommandLine.FLAGS.keySet()) {
            assertThat(readme).contains("`--" + flag + "`");
        }
    }

    @Test
    void runCommandNamesTheJarThisBuildMakes() throws Exception {
        String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
        assertThat(readme()).contains("java -jar job/target/leaf-embed-job-" + version + ".jar --input config/sample-input.txt");
    }
}
