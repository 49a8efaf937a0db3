package io.leafembed.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@code embedding.normalize} is three-valued: unset leaves the choice to the model (its
 * Normalize module, as sentence-transformers), true or false override it.
 */
class EmbeddingNormalizeKeyTest {

    @Test
    void unsetLeavesTheChoiceToTheModel() {
        JobConfig config = CommandLine.parse(new String[] {"--input", "in.txt"}).config();
        assertThat(JobOptions.EMBEDDING_NORMALIZE.defaultValue()).isNull();
        assertThat(config.embedderOptions(1).normalize()).isNull();
        assertThat(config.describe()).containsEntry("embedding.normalize", null);
    }

    @Test
    void trueAndFalseOverrideTheModel() {
        assertThat(CommandLine.parse(new String[] {"--embedding.normalize", "true"}).config()
                .embedderOptions(1).normalize()).isTrue();
        assertThat(CommandLine.parse(new String[] {"--embedding.normalize=false"}).config()
                .embedderOptions(1).normalize()).isFalse();
    }

    @Test
    void otherValuesNameTheKey() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--embedding.normalize", "yes"}).config())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'embedding.normalize'")
                .hasMessageContaining("true or false");
    }

    @Test
    void helpSaysWhatUnsetMeans() {
        assertThat(CommandLine.usage()).contains("embedding.normalize").contains("the model's choice");
    }
}
