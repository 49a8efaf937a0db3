package io.leafembed.job.sink;

import java.lang.reflect.Field;
import java.time.Duration;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.KafkaAdminClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the Kafka admin clients that flink-connector-kafka 5.0.0-2.2's exactly-once writer opens
 * (to list the transactions it may have to abort) and never closes. Each keeps a thread running
 * whose code comes from the job's classloader, so on a session cluster every submission would
 * leave its whole classloader (~15 MB of metaspace, seen in FlinkClusterITCase) behind in the
 * TaskManager until it runs out of metaspace. Registered as a user-code classloader release hook:
 * it runs once the job's last task has left the TaskManager, when nothing uses them any more.
 *
 * <p>Only admin clients of this job's own copy of kafka-clients are closed (their class is this
 * classloader's {@link KafkaAdminClient}), never another job's. Finding them needs reflection
 * into {@link Thread} ({@code --add-opens java.base/java.lang}, which Flink's Java 17 options
 * and the job jar's manifest give); without it the hook logs a warning and changes nothing.
 */
final class LeakedAdminClients {

    private static final Logger LOG = LoggerFactory.getLogger(LeakedAdminClients.class);
    private static final String THREAD_PREFIX = "kafka-admin-client-thread";

    private LeakedAdminClients() {}

    /**
     * Registers the hook for the job that {@code context} belongs to (once per job and
     * TaskManager), where the job has its own copy of kafka-clients (the cluster jar on a session
     * cluster). Where kafka-clients is shared with the JVM ({@code java -jar}, a MiniCluster in
     * tests, kafka-clients in Flink's lib/) the admin clients are not the job's alone to close, and
     * the JVM's end frees them anyway.
     */
    static void closeWhenJobLeaves(RuntimeContext context) {
        ClassLoader kafka = KafkaAdminClient.class.getClassLoader();
        if (kafka == null || kafka == ClassLoader.getSystemClassLoader()
                || kafka != LeakedAdminClients.class.getClassLoader()) {
            return;
        }
        context.registerUserCodeClassLoaderReleaseHookIfAbsent("leaf-embed: close leaked Kafka admin clients",
                LeakedAdminClients::closeAll);
    }

    /** Closes every admin client of this classloader's kafka-clients that still runs; returns how many. */
    static int closeAll() {
        int closed = 0;
        try {
            Field target = Thread.class.getDeclaredField("target");
            target.setAccessible(true);
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (!thread.getName().startsWith(THREAD_PREFIX)) {
                    continue;
                }
                Object runnable = target.get(thread);
                if (runnable == null || runnable.getClass().getEnclosingClass() != KafkaAdminClient.class) {
                    continue; // another job's kafka-clients, or not an admin client's thread
                }
                Field outer = runnable.getClass().getDeclaredField("this$0");
                outer.setAccessible(true);
                ((Admin) outer.get(runnable)).close(Duration.ZERO);
                closed++;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("could not close the Kafka admin clients the Kafka sink left open ({}); the job's"
                    + " classloader may stay in memory", e.toString());
        }
        if (closed > 0) {
            LOG.info("closed {} Kafka admin client(s) the Kafka sink left open", closed);
        }
        return closed;
    }
}
