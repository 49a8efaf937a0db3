package io.leafembed.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's markdown report: the headline table per model, the (a) sweep, latencies, padding. */
final class Report {

    /** One headline row: a contender's median run and its ratio to the ceiling (a). */
    record Row(Measurement m, double ratio) {}

    private final List<Measurement> results;
    private final List<String> latency;
    private final List<String> byLength;
    private final List<String> kafkaLatency;
    private final List<String> padding;
    private final ZonedDateTime started;
    private final double loadBefore;
    private final double loadAfter;
    private final SpeedBenchmark.Settings settings;
    private final int texts;
    private final long tokens;
    private final int[] lengths;

    Report(List<Measurement> results, List<String> latency, List<String> byLength, List<String> kafkaLatency,
            List<String> padding, ZonedDateTime started, double loadBefore, double loadAfter,
            SpeedBenchmark.Settings settings, int texts, long tokens, int[] lengths) {
        this.results = results;
        this.latency = latency;
        this.byLength = byLength;
        this.kafkaLatency = kafkaLatency;
        this.padding = padding;
        this.started = started;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
        this.settings = settings;
        this.texts = texts;
        this.tokens = tokens;
        this.lengths = lengths;
    }

    /** The median run (by texts/s) of every contender and model, in first-run order. */
    private Map<String, Measurement> medians() {
        Map<String, List<Measurement>> groups = new LinkedHashMap<>();
        for (Measurement m : results) {
            groups.computeIfAbsent(m.model() + "\u0000" + m.contender(), k -> new ArrayList<>()).add(m);
        }
        Map<String, Measurement> out = new LinkedHashMap<>();
        groups.forEach((key, runs) -> {
            List<Measurement> sorted = new ArrayList<>(runs);
            sorted.sort(Comparator.comparingDouble(Measurement::textsPerSecond));
            out.put(key, sorted.get((sorted.size() - 1) / 2));
        });
        return out;
    }

    /** Per model: the best (a) configuration, then every other contender; ratios to that (a). */
    List<Row> headline() {
        List<Row> rows = new ArrayList<>();
        Map<String, List<Measurement>> byModel = new LinkedHashMap<>();
        for (Measurement m : medians().values()) {
            byModel.computeIfAbsent(m.model(), k -> new ArrayList<>()).add(m);
        }
        for (List<Measurement> model : byModel.values()) {
            Measurement ceiling = model.stream().filter(m -> m.contender().startsWith("(a)"))
                    .max(Comparator.comparingDouble(Measurement::textsPerSecond)).orElse(null);
            double base = ceiling == null ? Double.NaN : ceiling.textsPerSecond();
            if (ceiling != null) {
                rows.add(new Row(ceiling, 1.0));
            }
            for (Measurement m : model) {
                if (!m.contender().startsWith("(a)")) {
                    rows.add(new Row(m, m.textsPerSecond() / base));
                }
            }
        }
        return rows;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## Speed benchmark, ").append(settings.quick() ? "quick" : "full").append(" run\n\n");
        md.append(String.format(Locale.ROOT, "%s UTC; %s, %d cores seen by the JVM; load average %.2f before,"
                + " %.2f after%s.%n", started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), cpuModel(),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter,
                loadBefore > 0.5 * Runtime.getRuntime().availableProcessors()
                        ? " (a BUSY machine: compare ratios within this run, not absolute numbers)" : ""));
        int[] sorted = lengths.clone();
        java.util.Arrays.sort(sorted);
        md.append(String.format(Locale.ROOT, "Corpus: %d texts (Debian fortunes, 1 in 10 cut to a short query),"
                + " %d tokens, mean %.1f, median %d, max %d. %d round(s), contenders rotated per round; medians."
                + " %d ONNX Runtime intra-op threads unless said. On a busy machine the contenders get unequal"
                + " shares of the cores: texts per CPU-second (texts/s / cores used) compares their work per core.%n%n", texts, tokens, (double) tokens / texts,
                sorted[sorted.length / 2], sorted[sorted.length - 1], settings.rounds(), settings.threads()));
        md.append("| model | contender | texts/s | tokens/s | CPU cores used | texts per CPU-s | padding | ÷ (a) | note |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : headline()) {
            Measurement m = row.m();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.0f | %s | %s | %s | %s | %s |%n", m.model(),
                    m.contender(), m.textsPerSecond(), m.tokensPerSecond(),
                    m.coresUsed() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", m.coresUsed()),
                    m.coresUsed() <= 0 ? "-" : String.format(Locale.ROOT, "%.1f", m.textsPerSecond() / m.coresUsed()),
                    Double.isNaN(m.paddingRatio()) ? "-" : String.format(Locale.ROOT, "%.3f", m.paddingRatio()),
                    Double.isNaN(row.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", row.ratio()), m.note()));
        }
        List<Measurement> sweep = medians().values().stream()
                .filter(m -> m.contender().startsWith("(a)") || m.contender().startsWith("raw")).toList();
        if (sweep.size() > 1) {
            md.append("\nRaw ONNX Runtime sweep (medians):\n\n| model | configuration | texts/s | padding |\n|---|---|---|---|\n");
            for (Measurement m : sweep) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.3f |%n", m.model(), m.contender(),
                        m.textsPerSecond(), m.paddingRatio()));
            }
        }
        if (!latency.isEmpty()) {
            md.append("\nSingle query at batch 1 through the library (`Embedder.embed(TextInput.query(q))`,"
                    + " tokenization included; 1 intra-op thread is a slot's default):\n\n| model | intra-op threads | queries"
                    + " | mean tokens | p50 ms | p99 ms |\n|---|---|---|---|---|---|\n");
            latency.forEach(l -> md.append(l).append('\n'));
        }
        if (!byLength.isEmpty()) {
            md.append('\n');
            byLength.forEach(l -> md.append(l).append('\n'));
        }
        if (!kafkaLatency.isEmpty()) {
            md.append("\nPer record through the Kafka job (java -jar, exactly-once, checkpoint every 1 s instead of the"
                    + " default 10 s) at half the median throughput it reached above (at two thirds of that, up to twice, where"
                    + " the job's backlog grew); from the producer's send to the"
                    + " first poll that returns the result (see KafkaJobRun):\n\n").append(KafkaJobRun.latencyHeader())
                    .append('\n');
            kafkaLatency.forEach(l -> md.append(l).append('\n'));
        }
        md.append("\nComputed token positions over real tokens on this corpus, by batch plan (no model runs):\n\n");
        padding.forEach(l -> md.append(l).append('\n'));
        return md.toString();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (Exception e) {
            // not Linux: leave it out
        }
        return "CPU unknown";
    }
}
