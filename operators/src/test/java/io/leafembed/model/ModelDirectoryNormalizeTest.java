package io.leafembed.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.embed.Embedder;
import io.leafembed.testutils.AffineDenseModel;
import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a model normalizes is read from its modules.json (a Normalize module or none), and
 * left open when nothing says; the Embedder then normalizes, as before modules.json was read.
 */
class ModelDirectoryNormalizeTest {

    @TempDir
    Path tmp;

    @Test
    void normalizeModuleMeansTrue() {
        assertThat(ModelDirectory.read(LeafShapedModel.directory(), "int8").normalizes()).isTrue();
    }

    @Test
    void modulesWithoutNormalizeMeanFalse() {
        assertThat(ModelDirectory.read(AffineDenseModel.directory(), "int8").normalizes()).isFalse();
    }

    @Test
    void bareOrUndescribedModelsLeaveItOpenAndAreNormalized() throws Exception {
        assertThat(ModelDirectory.bare(TestModels.minilmInt8Onnx(), TestModels.minilmTokenizer()).normalizes()).isNull();
        Path dir = LeafShapedModel.copyTo(tmp.resolve("no-modules"));
        Files.delete(dir.resolve("modules.json"));
        assertThat(ModelDirectory.read(dir, "int8").normalizes()).isNull();
        try (Embedder bare = Embedder.open(TestModels.minilmInt8().build())) {
            assertThat(bare.normalizes()).isTrue();
        }
    }
}
