package io.leafembed.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local run as a user runs it: the shaded jar on an embedded MiniCluster with the bundled int8
 * model, over the sample input, standard input kept open, records whose JSON is over 2 MiB, a full
 * disk, a closed pipe, a stop signal and misconfigured files.
 */
class LocalRunITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void readmeCommandEmbedsTheSampleInput() throws Exception {
        JobJar.Run run = JobJar.run(null, "--input", "config/sample-input.txt");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr().lines().findFirst().orElseThrow())
                .contains("using the bundled int8 all-MiniLM-L6-v2");
        List<String> texts = Files.readAllLines(JobJar.repoRoot().resolve("config/sample-input.txt"));
        List<String> lines = run.stdoutLines();
        assertThat(lines).hasSize(texts.size());

        // the bundled model is the same int8 file as the test model; the whole sample is one window,
        // so the library embedding all texts in one call sees the same batches
        List<Embedding> expected;
        try (Embedder embedder = Embedder.open(TestModels.minilmInt8().build())) {
            expected = embedder.embed(texts.stream().map(TextInput::document).toList());
        }
        for (int i = 0; i < lines.size(); i++) {
            JsonNode record = JSON.readTree(lines.get(i));
            assertThat(record.get("id").asText()).isEqualTo(String.valueOf(i + 1));
            assertThat(record.get("text").asText()).isEqualTo(texts.get(i));
            JsonNode e = record.get("embedding");
            assertThat(e.get("dims").asInt()).isEqualTo(384);
            assertThat(e.get("dtype").asText()).isEqualTo("float32");
            assertThat(e.get("model").asText()).isEqualTo("all-minilm-l6-v2-q");
            float[] vector = new float[e.get("vector").size()];
            for (int d = 0; d < vector.length; d++) {
                vector[d] = e.get("vector").get(d).floatValue();
            }
            assertThat(Vectors.maxAbsDiff(vector, expected.get(i).vector())).as("line %d", i + 1).isLessThan(1e-5);
        }
    }

    @Test
    void jsonlInputSendsBadRecordsToTheDeadLetterFile() throws Exception {
        Path dead = tmp.resolve("dead.jsonl");
        Path out = tmp.resolve("out.jsonl");
        JobJar.Run run = JobJar.run(null, "--input", "config/sample-records.jsonl", "--output", out.toString(),
                "--dead-letters", dead.toString(), "--quantization", "ubinary", "--encoding", "base64");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<JsonNode> results = readJsonLines(out);
        assertThat(results).extracting(r -> r.get("id").asText()).containsExactly("q1", "d1", "d2", "4", "9");
        assertThat(results.get(0).get("embedding").get("role").asText()).isEqualTo("query");
        assertThat(results.get(0).get("lang").asText()).isEqualTo("en");
        assertThat(java.util.Base64.getDecoder().decode(results.get(0).get("embedding").get("base64").asText()))
                .hasSize(48);
        List<JsonNode> deadLetters = readJsonLines(dead);
        assertThat(deadLetters).extracting(d -> d.get("reason").asText()).containsExactlyInAnyOrder(
                "empty or whitespace-only text (embedding.empty-text: reject)",
                "missing text field 'text'",
                "unknown role 'passage': this model knows [document, query]",
                "malformed JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object"
                        + " or token 'null', 'true' or 'false')",
                "malformed JSON: Trailing token (of type START_OBJECT) found after value (bound as"
                        + " `com.fasterxml.jackson.databind.JsonNode`): not allowed as per"
                        + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
        assertThat(run.stderr()).contains("done: 5 embedded, 5 dead letters");
    }

    @Test
    void standardInputIsEmbeddedLineByLineWhileItStaysOpen() throws Exception {
        Path err = tmp.resolve("stdin.err");
        Process process = JobJar.command(List.of(), "--input", "-", "--truncate-dim", "32")
                .redirectError(err.toFile()).start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
            OutputStream stdin = process.getOutputStream();
            stdin.write("first line\n".getBytes(UTF_8));
            stdin.flush();
            // standard input stays open: the line must come out now, not at EOF (start-up included)
            JsonNode first = JSON.readTree(readLineWithin(stdout, Duration.ofSeconds(90), err));
            assertThat(first.get("id").asText()).isEqualTo("1");
            assertThat(first.get("embedding").get("vector").size()).isEqualTo(32);

            long sent = System.nanoTime();
            stdin.write("second line\n".getBytes(UTF_8));
            stdin.flush();
            assertThat(JSON.readTree(readLineWithin(stdout, Duration.ofSeconds(20), err)).get("text").asText())
                    .isEqualTo("second line");
            // batching.max-wait-ms (50 ms) plus one model run, with room for a busy machine
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));

            stdin.write("\n \t\nthird line\n".getBytes(UTF_8));
            stdin.close();
            List<String> rest = stdout.lines().toList();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(Files.readString(err)).isZero();
            // blank lines are skipped but keep their numbers: the third text is line 5
            assertThat(rest).hasSize(1);
            assertThat(JSON.readTree(rest.get(0)).get("id").asText()).isEqualTo("5");
            assertThat(Files.readString(err)).contains("done: 3 embedded, 0 dead letters, 2 blank lines skipped");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void linesWhoseJsonIsOverTwoMebibytesAreWrittenAndTheTempFolderIsLeftClean() throws Exception {
        // 1.2 MB, over input.max-text-bytes (1 MiB): a dead letter carrying it twice (text, base64)
        String overTheLimit = "a ".repeat(600_000);
        // 600 KB, under the limit; JSON escapes each control character to 6 bytes: a 3.3 MB line
        StringBuilder control = new StringBuilder();
        for (int i = 0; i < 600_000; i++) {
            control.append((char) (1 + i % 8));
        }
        Path input = tmp.resolve("big.txt");
        Files.writeString(input, overTheLimit + "\n" + control + "\n\n  \t\nlast line\n");
        Path out = tmp.resolve("out.jsonl");
        Path dead = tmp.resolve("dead.jsonl");
        Path javaTmp = Files.createDirectory(tmp.resolve("java-tmp"));

        JobJar.Run run = JobJar.runWith(List.of("-Djava.io.tmpdir=" + javaTmp), null, "--input", input.toString(),
                "--output", out.toString(), "--dead-letters", dead.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<JsonNode> results = readJsonLines(out);
        assertThat(results).extracting(r -> r.get("id").asText()).containsExactly("2", "5");
        assertThat(results.get(0).get("text").asText()).isEqualTo(control.toString());
        assertThat(Files.size(out)).isGreaterThan(3_000_000);
        List<JsonNode> deadLetters = readJsonLines(dead);
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).get("id").asText()).isEqualTo("1");
        assertThat(deadLetters.get(0).get("reason").asText()).contains("input.max-text-bytes");
        assertThat(run.stderr()).contains("done: 2 embedded, 1 dead letters, 2 blank lines skipped");
        // Flink's RPC jar, MiniCluster folders and ONNX Runtime's folder are gone; the model cache stays
        try (Stream<Path> left = Files.list(javaTmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("leaf-embed-models");
        }
    }

    @Test
    void aFullDiskOrAClosedPipeStopsTheRun() throws Exception {
        Path input = manyTexts(100_000);
        Path err = tmp.resolve("full.err");
        Process full = JobJar.command(List.of(), "--input", input.toString())
                .redirectOutput(new File("/dev/full")).redirectError(err.toFile()).start();
        assertThat(full.waitFor(3, TimeUnit.MINUTES)).as("stops instead of embedding 100,000 texts").isTrue();
        assertThat(full.exitValue()).isEqualTo(1);
        assertThat(Files.readString(err))
                .contains("cannot write 'output.file' (standard output): No space left on device")
                .doesNotContain("Exception");

        Path pipeErr = tmp.resolve("pipe.err");
        Process pipe = JobJar.command(List.of(), "--input", input.toString()).redirectError(pipeErr.toFile()).start();
        pipe.getInputStream().close(); // like `| head -1` after its line: the reader goes away
        assertThat(pipe.waitFor(3, TimeUnit.MINUTES)).as("stops instead of embedding 100,000 texts").isTrue();
        assertThat(pipe.exitValue()).isEqualTo(141);
        // quietly, like other Unix tools: no trace, no error, no summary
        assertThat(Files.readString(pipeErr)).doesNotContain("Exception", "cannot write", "done:");
    }

    @Test
    void aStoppedRunEndsItsOutputWithAWholeLineAndLeavesNoTempFiles() throws Exception {
        Path input = manyTexts(100_000);
        Path out = tmp.resolve("out.jsonl");
        Path err = tmp.resolve("stopped.err");
        Path javaTmp = Files.createDirectory(tmp.resolve("java-tmp"));
        Process process = JobJar.command(List.of("-Djava.io.tmpdir=" + javaTmp), "--input", input.toString(),
                "--output", out.toString()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while ((!Files.exists(out) || Files.size(out) < 100_000) && System.nanoTime() < deadline
                    && process.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(Files.size(out)).as(Files.readString(err)).isGreaterThanOrEqualTo(100_000);
            // SIGTERM: the same shutdown path as Ctrl-C (whose SIGINT a background test JVM may ignore)
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).isEqualTo(143);
        List<JsonNode> lines = readJsonLines(out); // every line whole: the last one too
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l.get("embedding").get("dims").asInt()).isEqualTo(384));
        assertThat(Files.readString(err)).contains("interrupted after " + String.format(java.util.Locale.ROOT, "%,d", lines.size())
                + " embedded");
        try (Stream<Path> left = Files.list(javaTmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("leaf-embed-models");
        }
    }

    @Test
    void outputFilesAreCheckedBeforeTheModelLoadsAndNeverOverwriteTheInput() throws Exception {
        Path input = tmp.resolve("texts.txt");
        Files.writeString(input, "keep me\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link.txt"), input);
        JobJar.Run same = JobJar.run(null, "--input", input.toString(), "--output", link.toString());
        assertThat(same.exitCode()).as(same.stderr()).isEqualTo(2);
        assertThat(same.stderr()).contains("'input.file' and 'output.file' are the same file")
                .doesNotContain("model 'all-minilm");
        assertThat(Files.readString(input)).isEqualTo("keep me\n");

        JobJar.Run missing = JobJar.run(null, "--input", input.toString(), "--dead-letters",
                tmp.resolve("no/such/dir/dead.jsonl").toString());
        assertThat(missing.exitCode()).as(missing.stderr()).isEqualTo(2);
        assertThat(missing.stderr()).contains("'output.dead-letter-file'", "does not exist")
                .doesNotContain("model 'all-minilm", "Exception");
    }

    @Test
    void aDefaultRoleTheModelDoesNotKnowFailsAtStartup() throws Exception {
        JobJar.Run run = JobJar.run(null, "--input", "config/sample-input.txt", "--role", "querry");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("'input.default-role' is 'querry' but model 'all-minilm-l6-v2-q'"
                + " knows the roles [document, query]");
    }

    @Test
    void aBadModelOnAKafkaRunFailsAtStartupInsteadOfRestarting() throws Exception {
        JobJar.Run run = JobJar.run(null, "--kafka.bootstrap-servers", "localhost:1", "--kafka.source.topics", "t",
                "--kafka.sink.topic", "o", "--model", "no/such/model",
                "--kafka.startup-check-timeout-ms", "0"); // no broker here: skip the Kafka check, which runs first
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("model directory no/such/model does not exist");
    }

    @Test
    void configurationErrorsFailFastNamingTheKey() throws Exception {
        JobJar.Run run = JobJar.run(null, "--input", "config/sample-input.txt", "--truncate-dim", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("'embedding.truncate-dim' must be in [1, 65536] but was '0'");
        JobJar.Run tooWide = JobJar.run(null, "--input", "config/sample-input.txt", "--truncate-dim", "1000");
        assertThat(tooWide.exitCode()).isEqualTo(2);
        assertThat(tooWide.stderr()).contains("truncateDim 1000 is larger than the model's 384 dims");
    }

    private static List<JsonNode> readJsonLines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private Path manyTexts(int count) throws Exception {
        Path file = tmp.resolve("many-" + count + ".txt");
        if (!Files.exists(file)) {
            Files.write(file, IntStream.rangeClosed(1, count).mapToObj(i -> "text number " + i + " of a long input")
                    .toList());
        }
        return file;
    }

    /** The next line of {@code stdout}, failing (with the job's standard error) if none comes in time. */
    private static String readLineWithin(BufferedReader stdout, Duration timeout, Path err) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String text = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(text).as("a line, not the end of the output; stderr: %s", Files.readString(err)).isNotNull();
            return text;
        } catch (TimeoutException e) {
            throw new AssertionError("no output line within " + timeout + "; stderr: " + Files.readString(err));
        }
    }
}
