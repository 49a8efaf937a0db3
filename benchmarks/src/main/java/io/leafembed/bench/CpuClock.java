package io.leafembed.bench;

import java.lang.management.ManagementFactory;

/** CPU time of this JVM (all its threads, ONNX Runtime's native ones included). */
final class CpuClock {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuClock() {}

    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** The 1-minute load average, which says how busy the machine was around a run. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
