package org.cunicu4j.e2e.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.Launcher;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.Scenario;

/**
 * Builds and starts testlab's {@link MeshLab} for the daemon tests and benchmarks: the CLI
 * from this JVM's class path (absolute entries), progress lines on stdout with the seconds
 * since the start. Stateless.
 */
public final class Meshes {
    /**
     * JVM options of the tests' daemons, signaling server and status commands: a small heap and
     * the serial collector (seven JVMs share two cores), C1 only (they start sooner and run
     * little code hot); the benchmarks use {@link #BENCH_JVM} instead.
     */
    public static final List<String> TEST_JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k");
    /** JVM options of the benchmarks' processes: full JIT. */
    public static final List<String> BENCH_JVM = List.of("-Xmx512m");

    private Meshes() {}

    /** Builds the mesh and starts everything (servers, devices, daemons); closes it again on failure. */
    public static MeshLab start(Scenario scenario, DeviceKind kind, List<String> jvmOptions) {
        return start(scenario, kind, jvmOptions, b -> { });
    }

    /**
     * As {@link #start(Scenario, DeviceKind, List)}, with {@code customize} applied to the
     * builder first (e.g. {@code b -> b.daemonOption("proxy", "raw")}).
     */
    public static MeshLab start(Scenario scenario, DeviceKind kind, List<String> jvmOptions,
            java.util.function.Consumer<MeshLab.Builder> customize) {
        long t0 = System.nanoTime();
        String tag = scenario + "/" + kind;
        MeshLab.Builder b = MeshLab.builder(Launcher.java(Cli.absoluteClassPath(), jvmOptions.toArray(String[]::new)))
                .scenario(scenario).device(kind)
                .progress(line -> System.out.printf(Locale.ROOT, "[%s %5.1f s] %s%n", tag, (System.nanoTime() - t0) / 1e9,
                        line));
        customize.accept(b);
        MeshLab mesh = b.build();
        try {
            mesh.start();
            return mesh;
        } catch (RuntimeException | Error e) {
            mesh.close();
            throw e;
        }
    }

    /** {@link #start(Scenario, DeviceKind, List)} with {@link #TEST_JVM}. */
    public static MeshLab start(Scenario scenario, DeviceKind kind) {
        return start(scenario, kind, TEST_JVM);
    }

    /** {@code base} plus {@code more}. */
    static List<String> plus(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }
}
