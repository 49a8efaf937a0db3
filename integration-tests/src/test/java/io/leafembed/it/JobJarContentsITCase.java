package io.leafembed.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Keeps the shaded job jar to what its supported platforms (Linux x86-64 and aarch64, the two
 * ONNX Runtime ships for Linux) need: the native libraries of ONNX Runtime, the DJL tokenizer,
 * JNA and the compression codecs for those two, and no macOS debug symbols (ONNX Runtime's jar
 * carries 48 MB of them), Windows DLLs or libraries for other systems and CPUs. Reads the jar's
 * entries only (no process), so it costs a second; it needs the jar that {@code mvn verify}
 * packages, hence an ITCase.
 */
class JobJarContentsITCase {

    /**
     * Native libraries and debug symbols for anything but Linux x86-64/aarch64, as the libraries
     * in the jar name their platform folders (ONNX Runtime osx-aarch64/win-x64, DJL
     * native/lib/osx-aarch64, zstd darwin/win/freebsd/aix and linux/s390x..., JNA darwin-...,
     * snappy Mac/Windows/Linux/ppc64..., netty's macOS kqueue and DNS libraries).
     */
    private static final Pattern UNSUPPORTED = Pattern.compile("(?i).*("
            + "\\.dsym/|\\.pdb$|\\.dll$|\\.dylib$|\\.jnilib$"
            + "|(^|/)(osx|darwin|macos|mac|win|win32|windows|freebsd|openbsd|dragonflybsd|aix|sunos)[-_/]"
            + "|(^|/)linux[-/](arm|armel|armv6|armv7|android-[a-z0-9]+|i386|x86|ppc|ppc64|ppc64le|mips64|mips64el"
            + "|s390x|riscv64|loongarch64)/"
            + ").*");

    /** What the job needs at run time on the two supported platforms. */
    private static final List<String> REQUIRED = List.of(
            "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
            "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so",
            "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so",
            "ai/onnxruntime/native/linux-aarch64/libonnxruntime4j_jni.so",
            "native/lib/linux-x86_64/cpu/libtokenizers.so",
            "native/lib/linux-aarch64/cpu/libtokenizers.so",
            "native/lib/tokenizers.properties",
            "com/sun/jna/linux-x86-64/libjnidispatch.so",
            "com/sun/jna/linux-aarch64/libjnidispatch.so",
            "all-minilm-l6-v2-q.onnx",
            "all-minilm-l6-v2-q-tokenizer.json",
            // --sql: the planner behind its own classloader, and PostgreSQL through our own dialect
            "flink-table-planner.jar",
            "org/postgresql/Driver.class",
            "io/leafembed/job/sink/jdbc/PostgresArrayFactory.class");

    @Test
    void carriesNativesForLinuxX64AndAarch64Only() throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile jar = new ZipFile(JobJar.jar().toFile())) {
            for (ZipEntry entry : Collections.list(jar.entries())) {
                names.add(entry.getName());
            }
        }
        List<String> unsupported = names.stream()
                .filter(n -> UNSUPPORTED.matcher(n).matches())
                .filter(n -> !n.endsWith(".class") && !n.endsWith("/")) // packages such as com/sun/jna/win32
                .toList();
        assertThat(unsupported).as("entries no supported platform (Linux x86-64/aarch64) needs").isEmpty();
        assertThat(names).containsAll(REQUIRED);
    }

    @Test
    void jarStaysSmallerThanWithEveryPlatform() throws IOException {
        // 170.8 MB with every platform's natives, 124.1 MB without (2026-11-30); the Table planner,
        // runtime and connectors for --sql add 63.6 MB (planner loader 42 MB, icu4j 13 MB, ...),
        // so every platform's natives would now make it ~234 MB
        long megabytes = Files.size(JobJar.jar()) / 1_000_000;
        assertThat(megabytes).as("job jar size in MB").isLessThan(200);
    }

    @Test
    void patternKnowsThePlatformFoldersOfTheBundledLibraries() {
        // the filter above must not go blind: these are real entry names of the unfiltered jar
        for (String name : List.of(
                "ai/onnxruntime/native/osx-aarch64/libonnxruntime.dylib.dSYM/Contents/Resources/DWARF/libonnxruntime.dylib",
                "ai/onnxruntime/native/win-x64/onnxruntime.dll",
                "native/lib/osx-aarch64/cpu/libtokenizers.dylib",
                "native/lib/win-x86_64/cpu/tokenizers.dll",
                "darwin/aarch64/libzstd-jni-1.5.6-10.dylib",
                "linux/s390x/libzstd-jni-1.5.6-10.so",
                "aix/ppc64/libzstd-jni-1.5.6-10.so",
                "com/sun/jna/sunos-x86/libjnidispatch.so",
                "com/sun/jna/linux-riscv64/libjnidispatch.so",
                "org/xerial/snappy/native/Linux/ppc64le/libsnappyjava.so",
                "org/xerial/snappy/native/Mac/x86/libsnappyjava.jnilib",
                "net/jpountz/util/win32/amd64/liblz4-java.so",
                "macos/libasyncProfiler.so",
                "META-INF/native/liborg_apache_flink_shaded_netty4_netty_transport_native_kqueue_x86_64.jnilib")) {
            assertThat(UNSUPPORTED.matcher(name).matches()).as(name).isTrue();
        }
        for (String name : REQUIRED) {
            assertThat(UNSUPPORTED.matcher(name).matches()).as(name).isFalse();
        }
        for (String name : List.of("linux/amd64/libzstd-jni-1.5.6-10.so", "linux/aarch64/libzstd-jni-1.5.6-10.so",
                "org/xerial/snappy/native/Linux/x86_64/libsnappyjava.so", "linux-x64/libasyncProfiler.so",
                "META-INF/native/liborg_apache_flink_shaded_netty4_netty_transport_native_epoll_x86_64.so")) {
            assertThat(UNSUPPORTED.matcher(name).matches()).as(name).isFalse();
        }
    }
}
