package io.leafembed.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.leafembed.job.config.JobConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSinksTest {

    private static JobConfig config(String sinkTopic, String... extra) {
        Map<String, String> settings = new HashMap<>(Map.of("kafka.bootstrap-servers", "b:9092",
                "kafka.source.topics", "in", "kafka.sink.topic", sinkTopic));
        for (int i = 0; i < extra.length; i += 2) {
            settings.put(extra[i], extra[i + 1]);
        }
        return JobConfig.of(settings);
    }

    @Test
    void theDefaultTransactionalIdPrefixIsDerivedFromGroupAndSinkTopic() {
        assertThat(KafkaSinks.transactionalIdPrefix(config("vectors"))).isEqualTo("leaf-embed-leaf-embed@vectors");
        assertThat(KafkaSinks.transactionalIdPrefix(config("vectors-2")))
                .isNotEqualTo(KafkaSinks.transactionalIdPrefix(config("vectors")));
        assertThat(KafkaSinks.transactionalIdPrefix(config("vectors", "kafka.source.group-id", "g2")))
                .isEqualTo("leaf-embed-g2@vectors");
        assertThat(KafkaSinks.transactionalIdPrefix(config("vectors", "kafka.sink.transactional-id-prefix", "mine")))
                .isEqualTo("mine");
        // group and topic names may hold dashes, never '@': (a-b, c) and (a, b-c) stay apart
        assertThat(KafkaSinks.transactionalIdPrefix(config("c", "kafka.source.group-id", "a-b")))
                .isNotEqualTo(KafkaSinks.transactionalIdPrefix(config("b-c", "kafka.source.group-id", "a")));
    }

    @Test
    void theSizeLimitIsTheProducersMaxRequestSize() {
        assertThat(KafkaSinks.maxRecordBytes(config("v"))).isEqualTo(1024 * 1024);
        assertThat(KafkaSinks.maxRecordBytes(config("v", "kafka.properties.max.request.size", "5000000")))
                .isEqualTo(5_000_000);
    }

    @Test
    void theProducersBatchSizeHoldsSeveralLargeResultsUnlessTheUserSetsIt() {
        assertThat(KafkaSinks.producerProperties(config("v")).getProperty("batch.size")).isEqualTo("262144");
        assertThat(KafkaSinks.producerProperties(config("v", "kafka.properties.batch.size", "16384"))
                .getProperty("batch.size")).isEqualTo("16384");
        assertThat(KafkaSinks.producerProperties(config("v", "kafka.properties.linger.ms", "20")))
                .containsEntry("linger.ms", "20").containsEntry("batch.size", "262144");
        // never larger than what the producer may send, which the preflight checks the topics take
        assertThat(KafkaSinks.producerProperties(config("v", "kafka.properties.max.request.size", "100000"))
                .getProperty("batch.size")).isEqualTo("100000");
    }
}
