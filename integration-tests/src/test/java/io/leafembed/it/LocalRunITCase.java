package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leafembed.embed.Embedder;
import io.leafembed.embed.Embedding;
import io.leafembed.embed.TextInput;
import io.leafembed.testutils.TestModels;
import io.leafembed.testutils.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's local-default command, run as a user runs it: the shaded jar on an embedded
 * MiniCluster with the bundled int8 model, over the sample input.
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
    void readsStandardInput() throws Exception {
        JobJar.Run run = JobJar.run("first line\nsecond line\n", "--input", "-", "--truncate-dim", "32");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdoutLines()).hasSize(2);
        assertThat(JSON.readTree(run.stdoutLines().get(1)).get("embedding").get("vector").size()).isEqualTo(32);
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
}
