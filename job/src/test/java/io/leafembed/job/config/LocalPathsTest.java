package io.leafembed.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPathsTest {

    @TempDir
    Path tmp;

    private Path input;

    @BeforeEach
    void input() throws Exception {
        input = Files.writeString(tmp.resolve("texts.txt"), "a text\n");
    }

    private static void check(String... args) {
        LocalPaths.check(CommandLine.parse(args).config());
    }

    @Test
    void theOutputMayNotBeTheInputUnderAnyName() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("link.txt"), input);
        Path relative = Path.of("").toAbsolutePath().relativize(input);
        for (Path output : new Path[] {input, link, relative, tmp.resolve("sub/../texts.txt")}) {
            Files.createDirectories(tmp.resolve("sub"));
            assertThatThrownBy(() -> check("--input", input.toString(), "--output", output.toString()))
                    .as(output.toString())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("'input.file' and 'output.file' are the same file (")
                    .hasMessageEndingWith("writing it would destroy the input; give 'output.file' another path");
        }
        assertThatThrownBy(() -> check("--input", input.toString(), "--dead-letters", link.toString()))
                .hasMessageStartingWith("'input.file' and 'output.dead-letter-file' are the same file");
    }

    @Test
    void theTwoOutputsMayNotBeOneFileButMayBothBeADevice() {
        Path out = tmp.resolve("out.jsonl"); // neither exists yet
        assertThatThrownBy(() -> check("--input", input.toString(), "--output", out.toString(),
                "--dead-letters", tmp.resolve(".").resolve("out.jsonl").toString()))
                .hasMessageStartingWith("'output.file' and 'output.dead-letter-file' are the same file")
                .hasMessageContaining("the two outputs would overwrite each other");
        assertThatCode(() -> check("--input", input.toString(), "--output", "/dev/null", "--dead-letters", "/dev/null"))
                .doesNotThrowAnyException();
        assertThatCode(() -> check("--input", input.toString(), "--output", out.toString(), "--dead-letters",
                tmp.resolve("dead.jsonl").toString())).doesNotThrowAnyException();
    }

    @Test
    void outputPathsAreCheckedNamingTheirKey() throws Exception {
        assertThatThrownBy(() -> check("--input", input.toString(), "--output", tmp.resolve("no/dir/out.jsonl").toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("'output.file' " + tmp.resolve("no/dir/out.jsonl") + ": the directory " + tmp.resolve("no/dir")
                        + " does not exist; create it first");
        assertThatThrownBy(() -> check("--input", input.toString(), "--dead-letters", tmp.toString()))
                .hasMessage("'output.dead-letter-file' " + tmp + " is a directory; give a file path in it");
        assertThatThrownBy(() -> check("--input", input.toString(), "--output", "/proc/no-such-dir/out.jsonl"))
                .hasMessageStartingWith("'output.file' /proc/no-such-dir/out.jsonl: the directory");
    }

    @Test
    void theInputMustBeAReadableFileOrStandardInput() {
        assertThatThrownBy(() -> check("--input", tmp.resolve("missing.txt").toString()))
                .hasMessage("'input.file' " + tmp.resolve("missing.txt") + " does not exist or is a directory"
                        + " (use - for standard input)");
        assertThatThrownBy(() -> check("--input", tmp.toString())).hasMessageContaining("is a directory");
        assertThatCode(() -> check("--input", "-")).doesNotThrowAnyException();
        assertThatCode(() -> check()).doesNotThrowAnyException();
    }

    @Test
    void aNamedPipeIsAnInput() throws Exception {
        // <(zcat texts.gz) and mkfifo give a pipe, not a regular file: it streams like standard input
        Path fifo = tmp.resolve("texts.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatCode(() -> check("--input", fifo.toString())).doesNotThrowAnyException();
    }
}
