package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs docker/download-model.sh as users do, its curl path against a local stand-in for the
 * Hugging Face hub (an HTTP server on a free port serving the repository layout under
 * {@code /<repo>/resolve/<revision>/}; the real hub is not reachable from the build machines, and
 * the {@code hf}/{@code huggingface-cli} and git paths are not run here). Checks that it fetches
 * exactly the files leaf-embed reads, byte for byte, sends HF_TOKEN, does nothing on a second run,
 * replaces a Git LFS pointer, and fails naming the file when one is missing. Needs bash and curl
 * (or wget).
 */
class ModelDownloadScriptITCase {

    private static final String PREFIX = "/MongoDB/mdbr-leaf-mt/resolve/main/";
    private static final List<String> MODEL_FILES = List.of("modules.json", "1_Pooling/config.json",
            "2_Dense/config.json", "2_Dense/model.safetensors", "config.json", "config_sentence_transformers.json",
            "sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "onnx/model.onnx",
            "onnx/model.onnx_data");

    @TempDir
    Path temp;
    private Path hub;
    private HttpServer server;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

    /** A run's exit code and output. */
    record Run(int exitCode, String output) {}

    @BeforeEach
    void startHub() throws IOException {
        hub = Files.createDirectories(temp.resolve("hub"));
        Random random = new Random(42);
        for (String file : MODEL_FILES) {
            Path path = hub.resolve(file);
            Files.createDirectories(path.getParent());
            if (file.endsWith(".json")) {
                Files.writeString(path, file.equals("modules.json")
                        ? "[{\"idx\": 2, \"name\": \"2\", \"path\": \"2_Dense\", \"type\": \"sentence_transformers.models.Dense\"}]"
                        : "{\"file\": \"" + file + "\"}");
            } else {
                byte[] bytes = new byte[10_000 + random.nextInt(5_000)];
                random.nextBytes(bytes);
                Files.write(path, bytes);
            }
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(path);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                authorizations.add(authorization);
            }
            Path file = path.startsWith(PREFIX) ? hub.resolve(path.substring(PREFIX.length())).normalize() : null;
            if (file == null || !file.startsWith(hub) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopHub() {
        server.stop(0);
    }

    @Test
    void downloadsExactlyTheModelFilesOnceAndSendsTheToken() throws Exception {
        Path target = temp.resolve("models/mdbr-leaf-mt");
        Run first = download(target, "t0ken");
        assertThat(first.exitCode()).as(first.output()).isEqualTo(0);
        for (String file : MODEL_FILES) {
            assertThat(target.resolve(file)).as(file).hasSameBinaryContentAs(hub.resolve(file));
        }
        try (var files = Files.walk(target)) {
            assertThat(files.filter(Files::isRegularFile).count()).as("only the model files, no leftovers")
                    .isEqualTo(MODEL_FILES.size());
        }
        assertThat(requests).as("one request per file").hasSize(MODEL_FILES.size());
        assertThat(authorizations).hasSize(MODEL_FILES.size()).containsOnly("Bearer t0ken");

        requests.clear();
        Run again = download(target, null);
        assertThat(again.exitCode()).as(again.output()).isEqualTo(0);
        assertThat(again.output()).contains("nothing to do");
        assertThat(requests).as("a complete download is not fetched again").isEmpty();

        // a Git LFS pointer (a clone without `git lfs pull`) is not the file: fetched again
        Files.writeString(target.resolve("2_Dense/model.safetensors"),
                "version https://git-lfs.github.com/spec/v1\noid sha256:0000\nsize 1572864\n");
        Run repaired = download(target, null);
        assertThat(repaired.exitCode()).as(repaired.output()).isEqualTo(0);
        assertThat(requests).containsExactly(PREFIX + "2_Dense/model.safetensors");
        assertThat(target.resolve("2_Dense/model.safetensors")).hasSameBinaryContentAs(
                hub.resolve("2_Dense/model.safetensors"));
    }

    @Test
    void failsNamingWhatIsMissing() throws Exception {
        Files.delete(hub.resolve("onnx/model.onnx_data"));
        Run noWeights = download(temp.resolve("a"), null);
        assertThat(noWeights.exitCode()).as(noWeights.output()).isEqualTo(1);
        assertThat(noWeights.output()).contains("onnx/model.onnx is a graph without its weights file onnx/model.onnx_data");

        Files.delete(hub.resolve("2_Dense/model.safetensors"));
        Run noDense = download(temp.resolve("b"), null);
        assertThat(noDense.exitCode()).as(noDense.output()).isEqualTo(1);
        assertThat(noDense.output()).contains("could not download").contains("2_Dense/model.safetensors");
    }

    @Test
    void isValidBashAndExplainsItself() throws Exception {
        Path script = script();
        assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
        assertThat(Files.readString(script)).contains("set -euo pipefail");
        assertThat(run(List.of("bash", "-n", script.toString()), Map.of()).exitCode()).isEqualTo(0);
        Run help = run(List.of("bash", script.toString(), "--help"), Map.of());
        assertThat(help.exitCode()).isEqualTo(0);
        assertThat(help.output()).contains(MODEL_FILES.subList(0, 10)).contains("*.onnx_data", "--variant");
        assertThat(run(List.of("bash", script.toString(), "--no-such-option"), Map.of()).exitCode())
                .as("a wrong option").isEqualTo(2);
        assertThat(run(List.of("bash", script.toString(), "--variant", "q3", temp.resolve("x").toString()), Map.of())
                .exitCode()).as("an unknown variant").isEqualTo(2);
        assertThat(temp.resolve("x")).as("nothing created on wrong usage").doesNotExist();
    }

    private Run download(Path target, String token) throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("HF_ENDPOINT", "http://127.0.0.1:" + server.getAddress().getPort());
        env.put("HF_TOKEN", token == null ? "" : token);
        return run(List.of("bash", script().toString(), "--method", "curl", target.toString()), env);
    }

    private static Path script() {
        return JobJar.repoRoot().resolve("docker/download-model.sh");
    }

    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(command + " ends").isTrue();
        return new Run(process.exitValue(), output);
    }
}
