package io.leafembed.job;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.job.config.ConfigException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * main() as a Flink cluster runs it ({@code flink run}, REST submission: a context environment
 * that is not a local one). There it runs inside Flink's client or the JobManager, so it must
 * throw instead of calling System.exit: were it to exit, this test's JVM would die and the build
 * would report the fork as crashed.
 */
class SubmittedMainTest {

    /** Installs a context environment the way Flink's client does, through the protected hook. */
    private static final class ClusterContext extends StreamExecutionEnvironment {
        static void install() {
            initializeContextEnvironment(StreamExecutionEnvironment::new);
        }

        static void reset() {
            resetContextEnvironment();
        }
    }

    @BeforeEach
    void submitted() {
        ClusterContext.install();
    }

    @AfterEach
    void reset() {
        ClusterContext.reset();
    }

    @Test
    void aConfigurationErrorIsThrownToFlinkNotAnExit() {
        assertThatThrownBy(() -> LeafEmbedJob.main(new String[] {"--kafka.bootstrap-servers", "localhost:9092",
                "--quantisation", "int8"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--quantisation");
    }

    @Test
    void aSubmittedJobWithoutKafkaIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> LeafEmbedJob.main(new String[] {"--input", "config/sample-input.txt"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap-servers");
    }

    @Test
    void unreachableBrokersFailTheSubmissionOnceNamingTheKey() {
        // nothing listens on port 1: the pre-flight check fails within its timeout
        assertThatThrownBy(() -> LeafEmbedJob.main(new String[] {"--kafka.bootstrap-servers", "127.0.0.1:1",
                "--kafka.source.topics", "texts", "--kafka.sink.topic", "out",
                "--kafka.startup-check-timeout-ms", "2000"}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap-servers");
    }
}
