package io.leafembed.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.testutils.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path tmp;

    @Test
    void readsBackWhatWasWritten() throws IOException {
        Path file = tmp.resolve("t.safetensors");
        new SafetensorsWriter()
                .add("linear.weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .add("linear.bias", new long[] {2}, new float[] {-1, 0.5f})
                .write(file);
        SafetensorsFile st = SafetensorsFile.open(file);
        assertThat(st.names()).containsExactly("linear.weight", "linear.bias");
        assertThat(st.read("linear.weight").shape()).containsExactly(2, 3);
        assertThat(st.read("linear.weight").values()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(st.read("linear.bias").values()).containsExactly(-1, 0.5f);
        assertThatThrownBy(() -> st.read("missing")).hasMessageContaining("no tensor 'missing'");
    }

    @Test
    void halfPrecisionWidensExactly() {
        assertThat(SafetensorsFile.halfToFloat((short) 0x3c00)).isEqualTo(1.0f);
        assertThat(SafetensorsFile.halfToFloat((short) 0xc000)).isEqualTo(-2.0f);
        assertThat(SafetensorsFile.halfToFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(SafetensorsFile.halfToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f);
        assertThat(SafetensorsFile.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void rejectsFilesThatAreNotSafetensors() throws IOException {
        Path file = tmp.resolve("bad.safetensors");
        Files.write(file, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessageContaining("not a safetensors file");
    }
}
