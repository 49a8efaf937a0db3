package io.leafembed.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time of one process's JIT compiler threads and garbage collector threads, read from
 * Linux's {@code /proc/<pid>/task/*} (user + system clock ticks and the thread's name), so that a
 * span of a job's run can say how much of the job's CPU went to compiling and collecting rather
 * than to its records. A fresh job JVM compiles Flink's, Kafka's and Jackson's paths for tens of
 * seconds; whether that is still going on in a timed span decides whether the span is "sustained".
 * Off Linux, or once the process is gone, a snapshot is empty and its differences are zero.
 */
record ThreadCpu(Map<Long, Long> jitTicks, Map<Long, Long> gcTicks) {

    /** Kernel clock ticks per second of {@code /proc/<pid>/task/<tid>/stat} (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    static final ThreadCpu NONE = new ThreadCpu(Map.of(), Map.of());

    /** The current CPU time of {@code pid}'s compiler and GC threads, by thread id. */
    static ThreadCpu of(long pid) {
        Map<Long, Long> jit = new HashMap<>();
        Map<Long, Long> gc = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    boolean isJit = name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
                    // G1's workers and concurrent threads; Serial and Parallel GC use "GC Thread#n" too
                    boolean isGc = name.startsWith("GC Thread") || name.startsWith("G1 ");
                    if (isJit || isGc) {
                        (isJit ? jit : gc).put(Long.parseLong(task.getFileName().toString()), ticks(task));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading: its time is lost to both ends
                }
            }
        } catch (IOException e) {
            return NONE;
        }
        return new ThreadCpu(jit, gc);
    }

    /** Cores the compiler threads used between {@code earlier} and this snapshot, {@code nanos} apart. */
    double jitCoresSince(ThreadCpu earlier, long nanos) {
        return cores(jitTicks, earlier.jitTicks, nanos);
    }

    /** Cores the GC threads used between {@code earlier} and this snapshot, {@code nanos} apart. */
    double gcCoresSince(ThreadCpu earlier, long nanos) {
        return cores(gcTicks, earlier.gcTicks, nanos);
    }

    private static double cores(Map<Long, Long> now, Map<Long, Long> before, long nanos) {
        long ticks = 0;
        for (Map.Entry<Long, Long> e : now.entrySet()) {
            // a thread started inside the span counts from zero (HotSpot adds compiler threads on demand)
            ticks += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return nanos <= 0 ? 0 : ticks / TICKS_PER_SECOND / (nanos / 1e9);
    }

    /** utime + stime of one {@code /proc/<pid>/task/<tid>}, in clock ticks. */
    private static long ticks(Path task) throws IOException {
        String stat = Files.readString(task.resolve("stat"));
        // the name in parentheses may hold spaces: fields are counted after its closing one
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of proc(5)
    }
}
