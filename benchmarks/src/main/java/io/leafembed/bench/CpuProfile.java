package io.leafembed.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import com.sun.tools.attach.VirtualMachine;
import one.profiler.AsyncProfiler;

/**
 * Where a contender's CPU time goes, from async-profiler's samples of every thread of this JVM, or
 * of the Kafka job's process (Java and native frames, ONNX Runtime's and the Rust tokenizer's
 * included): the share inside {@code OrtSession.run}, against the tokenizer, pooling and
 * post-processing, batch set-up, JSON, the Kafka client, the operator and Flink, the JIT and the
 * GC. Unlike texts/s, those shares hardly move when a busy machine slows a whole run down, so
 * they show what the library and the job add around the model even where run-to-run noise (about
 * 5%) hides it in the throughput ratios.
 *
 * <p>async-profiler 2.9 is on the classpath already: Flink's runtime depends on it for its own
 * profiling page. Its Linux x64 library is unpacked into the work directory; elsewhere the
 * profile is skipped with a message. Samples come from the {@code itimer} event (no perf_events
 * permission needed), asked for every millisecond of process CPU; the kernel's tick makes that
 * about one per 4 ms on this machine, so the table prints how many samples each row rests on.
 * The Kafka job, a process of its own, is profiled by loading the same library into it through
 * the JDK's attach API, as async-profiler's own script does.
 */
final class CpuProfile {

    /** A bucket of samples: the first whose rule matches a stack (frames joined by ';') takes it. */
    private record Bucket(String name, Predicate<String> rule) {}

    private static final List<Bucket> BUCKETS = List.of(
            // first: the Dense layer's own small ONNX Runtime run is post-processing, not the model
            new Bucket("pool, Dense, normalize, quantize", s -> s.contains("io/leafembed/pooling/")
                    || s.contains("io/leafembed/postprocess/") || s.contains("io/leafembed/embed/Embedder.finish")),
            new Bucket("ONNX Runtime run (the encoder)", s -> s.contains("ai/onnxruntime/OrtSession.run")),
            // the Rust tokenizer's own worker threads have no Java frame: their stacks start in Rust (_R...)
            new Bucket("tokenize", s -> s.contains("io/leafembed/tokenize/TextTokenizer")
                    || s.contains("ai/djl/huggingface") || s.startsWith("_R")),
            new Bucket("batch set-up (plan, pad, tensors)", s -> s.contains("io/leafembed/batching/")
                    || s.contains("io/leafembed/tokenize/TokenBatch") || s.contains("io/leafembed/inference/OnnxEncoder")
                    || s.contains("ai/onnxruntime/OnnxTensor")),
            // before the operator and Flink, whose frames are below them on the same stacks (the job only)
            new Bucket("JSON (Jackson)", s -> s.contains("com/fasterxml/jackson/")),
            new Bucket("Kafka client", s -> s.contains("org/apache/kafka/")),
            new Bucket("operator (windows, emit)", s -> s.contains("io/leafembed/function/")),
            new Bucket("Flink (source, sink, task)", s -> s.contains("org/apache/flink/")),
            new Bucket("JIT compiler", s -> s.contains("CompileBroker") || s.contains("Compile::")),
            new Bucket("GC", s -> s.contains("G1") || s.contains("GangWorker") || s.contains("GCTaskThread")),
            new Bucket("other (native, unattributed)", s -> true));

    private final AsyncProfiler profiler;
    private final Path library;
    private final Path work;
    private final List<String> rows = new ArrayList<>();
    private int runs;

    private CpuProfile(AsyncProfiler profiler, Path library, Path work) {
        this.profiler = profiler;
        this.library = library;
        this.work = work;
    }

    /** The profiler, or empty (with a message) where its library does not load. */
    static Optional<CpuProfile> open(Path work) {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").startsWith("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            System.out.println("CPU profile skipped: async-profiler's library here is for Linux x64 only");
            return Optional.empty();
        }
        try (InputStream lib = AsyncProfiler.class.getResourceAsStream("/linux-x64/libasyncProfiler.so")) {
            if (lib == null) {
                System.out.println("CPU profile skipped: no linux-x64/libasyncProfiler.so in the async-profiler jar");
                return Optional.empty();
            }
            Path file = work.resolve("libasyncProfiler.so");
            Files.copy(lib, file, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(new CpuProfile(AsyncProfiler.getInstance(file.toString()), file, work));
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            System.out.println("CPU profile skipped: " + e);
            return Optional.empty();
        }
    }

    /** Starts sampling every thread of this JVM. */
    void start() throws IOException {
        profiler.execute("start,event=itimer,interval=1ms");
    }

    /** Stops sampling and adds a row for {@code contender} on {@code model}. */
    void stop(String model, String contender) throws IOException {
        Path file = nextFile();
        profiler.execute("stop,collapsed,file=" + file);
        addRow(file, model, contender);
    }

    /** Starts sampling every thread of the JVM process {@code pid}. */
    void startIn(long pid) throws Exception {
        attach(pid, "start,event=itimer,interval=1ms");
    }

    /** Stops sampling in the JVM process {@code pid} and adds a row for {@code contender} on {@code model}. */
    void stopIn(long pid, String model, String contender) throws Exception {
        Path file = nextFile();
        attach(pid, "stop,collapsed,file=" + file);
        addRow(file, model, contender);
    }

    private void attach(long pid, String command) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        try {
            vm.loadAgentPath(library.toString(), command);
        } finally {
            vm.detach();
        }
    }

    private Path nextFile() {
        return work.resolve("profile-" + (++runs) + ".collapsed").toAbsolutePath();
    }

    private void addRow(Path file, String model, String contender) throws IOException {
        Map<String, Long> samples = new LinkedHashMap<>();
        BUCKETS.forEach(b -> samples.put(b.name(), 0L));
        long total = 0;
        for (String line : Files.readAllLines(file)) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String stack = line.substring(0, space);
            long n = Long.parseLong(line.substring(space + 1).strip());
            total += n;
            for (Bucket b : BUCKETS) {
                if (b.rule().test(stack)) {
                    samples.merge(b.name(), n, Long::sum);
                    break;
                }
            }
        }
        StringBuilder row = new StringBuilder("| " + model + " | " + contender + " | " + total);
        for (long n : samples.values()) {
            row.append(String.format(Locale.ROOT, " | %.1f", total == 0 ? 0 : 100.0 * n / total));
        }
        rows.add(row.append(" |").toString());
        System.out.println("profile: " + row);
    }

    /** The rows as a markdown table, or empty when nothing was profiled. */
    String markdown() {
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\nWhere the CPU goes (async-profiler's itimer samples of every thread,"
                + " untimed runs after the timed rounds, (c) and (d) over the part they time only; % of samples):\n\n| model | contender | samples");
        BUCKETS.forEach(b -> md.append(" | ").append(b.name()));
        md.append(" |\n|---|---|---").append("|---".repeat(BUCKETS.size())).append("|\n");
        rows.forEach(r -> md.append(r).append('\n'));
        return md.toString();
    }
}
