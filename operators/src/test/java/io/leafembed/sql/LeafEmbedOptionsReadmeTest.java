package io.leafembed.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** Keeps the README's Flink SQL section true: it names every option the provider and EMBED() accept. */
class LeafEmbedOptionsReadmeTest {

    @Test
    void sqlSectionNamesEveryOption() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Flink SQL: ML_PREDICT and EMBED()");
        assertThat(section).as("README section").isGreaterThan(0);
        String sql = readme.substring(section);
        for (ConfigOption<?> option : LeafEmbedOptions.ALL) {
            assertThat(sql).as("README SQL section names %s", option.key()).contains("`" + option.key() + "`");
        }
        for (ErrorHandlingStrategy strategy : ErrorHandlingStrategy.values()) {
            assertThat(sql).contains("`" + strategy.name().toLowerCase(java.util.Locale.ROOT) + "`");
        }
    }
}
