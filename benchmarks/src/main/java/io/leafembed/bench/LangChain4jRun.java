package io.leafembed.bench;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.util.List;

/**
 * Contender (e): LangChain4j's in-process ONNX embedding model ({@code OnnxEmbeddingModel}, mean
 * pooling) on the same graph and tokenizer files, as a user would call it: {@code embedAll} over
 * the corpus with its default executor. It runs one text per {@code session.run} and cannot apply
 * a Dense layer, so it only runs the bare all-MiniLM-L6-v2 graphs. In this JVM it runs on the
 * build's ONNX Runtime (1.28.0), not the 1.20.0 its pom names.
 */
final class LangChain4jRun {

    private final OnnxEmbeddingModel model;

    LangChain4jRun(BenchModel bench) {
        model = new OnnxEmbeddingModel(bench.onnx(), bench.tokenizer(), PoolingMode.MEAN);
    }

    Measurement run(String modelName, List<String> texts, long realTokens) {
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        long cpu = CpuClock.processCpuNanos();
        long start = System.nanoTime();
        int embedded = model.embedAll(segments).content().size();
        long wall = System.nanoTime() - start;
        if (embedded != texts.size()) {
            throw new IllegalStateException("LangChain4j embedded " + embedded + " of " + texts.size());
        }
        return new Measurement("(e) LangChain4j embedAll", modelName, texts.size(), realTokens, 0, wall,
                CpuClock.processCpuNanos() - cpu, "one text per run, default executor");
    }

    void warmUp(List<String> texts) {
        model.embedAll(texts.stream().map(TextSegment::from).toList());
    }
}
