package io.leafembed.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The few calls of Flink's REST API that an operator (or CI) uses to run a job on a session
 * cluster: upload a jar, run it (optionally from a savepoint or retained checkpoint, at a
 * parallelism), watch it, cancel it, stop it with a savepoint. Plain HTTP and JSON, as curl would.
 */
final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(String base) {
        this.base = base;
    }

    /** Waits until GET /overview answers, failing early if {@code process} dies. */
    void awaitUp(Process process, int seconds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the process exited with " + process.exitValue());
            }
            try {
                overview();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
    }

    JsonNode overview() throws IOException, InterruptedException {
        return get("/overview");
    }

    /** POST /jars/upload; returns the jar id. */
    String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "leaf-embed-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).timeout(Duration.ofSeconds(60)));
        String file = answer.path("filename").asText();
        return Path.of(file).getFileName().toString();
    }

    /**
     * POST /jars/{id}/run: runs the jar's main class with {@code args}; {@code restorePath} is a
     * savepoint or retained checkpoint (null for a fresh start). Returns the job id.
     */
    String runJar(String jarId, List<String> args, int parallelism, String restorePath)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.putArray("programArgsList").addAll(args.stream().map(JSON.getNodeFactory()::textNode).toList());
        request.put("parallelism", parallelism);
        if (restorePath != null) {
            request.put("savepointPath", restorePath);
            request.put("allowNonRestoredState", false);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", request);
        return answer.path("jobid").asText();
    }

    /** GET /jobs/{id}: the job's details (state, vertices with their status and parallelism). */
    JsonNode job(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId);
    }

    /** True when the job is RUNNING and so is every one of its tasks. */
    boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        JsonNode job = job(jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (!"RUNNING".equals(vertex.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** PATCH /jobs/{id}?mode=cancel. */
    void cancel(String jobId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)));
    }

    /** Polls the job's state until it is {@code state}; fails after {@code timeout}, naming the state it was in. */
    void awaitState(String jobId, String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String now = "";
        while (System.nanoTime() < deadline) {
            now = job(jobId).path("state").asText();
            if (now.equals(state)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + " is " + now + ", not " + state + " after " + timeout.toSeconds() + " s");
    }

    /** GET /jobs/{id}/checkpoints: counts, the latest completed and the restored checkpoint. */
    JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** GET /jobs/{id}/exceptions: the failures the job saw (the root one and its history). */
    JsonNode exceptions(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/exceptions");
    }

    /** POST /jobs/{id}/stop: stop with a savepoint in {@code directory}; returns the savepoint's path. */
    String stopWithSavepoint(String jobId, Path directory, Duration timeout) throws Exception {
        ObjectNode request = JSON.createObjectNode();
        request.put("targetDirectory", directory.toUri().toString());
        request.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", request).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException("stop with savepoint failed: " + operation.path("failure-cause"));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("stop with savepoint did not complete in " + timeout);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().timeout(Duration.ofSeconds(10)));
    }

    private JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .timeout(Duration.ofSeconds(120)));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
