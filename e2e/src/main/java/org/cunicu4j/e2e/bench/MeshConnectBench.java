package org.cunicu4j.e2e.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.cunicu4j.e2e.daemon.Meshes;
import org.cunicu4j.e2e.daemon.Stats;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.Scenario;

/**
 * Time from daemons started to the first successful ping through the tunnel, per network:
 * {@code lan} (three peers on one switch), {@code nat} (each behind an endpoint-independent
 * NAT) and {@code relay} (each behind a symmetric NAT: every pair relays through coturn),
 * with our devices (BindProxy). Per case one {@link MeshLab} (topology, signaling server,
 * coturn) is built once and brought up; then, {@code runs} times, all three daemons are
 * stopped (SIGTERM: our devices go with them) and started again at once, and from that moment
 * each of the three pairs (alice→bob, alice→carol, bob→carol) is pinged every 50 ms until it
 * answers. Printed per run: each pair's time; per case: the median and p90 over the runs of
 * the first pair to answer and of the last (the whole mesh up).
 *
 * <p>Run as root from the repository root (see e2e/README.md):
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp "e2e/target/classes:$(cat e2e/target/bench.classpath)" \
 *     org.cunicu4j.e2e.bench.MeshConnectBench [runs=5] [cases=lan,nat,relay] [timeout=60] [device=ours|wireguard-go]
 * </pre>
 */
public final class MeshConnectBench {
    private static final long PING_EVERY_NANOS = 50_000_000L;

    private MeshConnectBench() {}

    public static void main(String[] args) throws Exception {
        int runs = 5;
        List<String> cases = List.of("lan", "nat", "relay");
        Duration timeout = Duration.ofSeconds(60);
        DeviceKind kind = DeviceKind.OURS;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "runs" -> runs = Integer.parseInt(kv[1]);
                case "cases" -> cases = Arrays.asList(kv[1].split(","));
                case "timeout" -> timeout = Duration.ofSeconds(Long.parseLong(kv[1]));
                case "device" -> kind = kv[1].equals("wireguard-go") ? DeviceKind.WIREGUARD_GO : DeviceKind.OURS;
                default -> throw new IllegalArgumentException(
                        "unknown argument " + a + " (runs=N cases=lan,nat,relay timeout=SECONDS device=ours|wireguard-go)");
            }
        }
        System.out.printf(Locale.ROOT, "mesh connect bench: %d runs per case, device %s, timeout %d s, ping every 50 ms; "
                + "%d CPUs, Java %s, load average %s%n", runs, kind, timeout.toSeconds(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), Stats.loadAverage());
        Map<String, String> rows = new LinkedHashMap<>();
        for (String c : cases) {
            Scenario scenario = switch (c) {
                case "lan" -> Scenario.ONE_SWITCH;
                case "nat" -> Scenario.EI_NATS;
                case "relay" -> Scenario.SYMMETRIC_NATS;
                default -> throw new IllegalArgumentException("unknown case " + c + " (lan, nat, relay)");
            };
            rows.put(c, measure(c, scenario, kind, runs, timeout));
        }
        System.out.println();
        System.out.println("| case | runs ok | first pair: median | p90 | whole mesh: median | p90 | min | max |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        rows.values().forEach(System.out::println);
        System.out.println("load average after: " + Stats.loadAverage());
    }

    private static String measure(String name, Scenario scenario, DeviceKind kind, int runs, Duration timeout) {
        List<Double> first = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        int failed = 0;
        try (MeshLab mesh = Meshes.start(scenario, kind, Meshes.BENCH_JVM)) {
            mesh.awaitConnected(Duration.ofSeconds(Math.max(180, timeout.toSeconds()))); // the first start is not measured
            List<MeshPeer> p = mesh.peers();
            for (int run = 1; run <= runs; run++) {
                p.forEach(x -> mesh.killDaemon(x, "TERM"));
                long t0 = System.nanoTime();
                p.forEach(mesh::startDaemon);
                long deadline = t0 + timeout.toNanos();
                List<CompletableFuture<Double>> pairs = List.of(
                        firstPing(p.get(0), p.get(1), t0, deadline),
                        firstPing(p.get(0), p.get(2), t0, deadline),
                        firstPing(p.get(1), p.get(2), t0, deadline));
                List<Double> ms = pairs.stream().map(CompletableFuture::join).toList();
                System.out.printf(Locale.ROOT, "%s run %d: alice→bob %s, alice→carol %s, bob→carol %s%n", name, run,
                        fmt(ms.get(0)), fmt(ms.get(1)), fmt(ms.get(2)));
                if (ms.stream().anyMatch(d -> d.isNaN())) {
                    failed++;
                    continue;
                }
                first.add(ms.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
                all.add(ms.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
            }
        }
        if (all.isEmpty()) {
            return String.format(Locale.ROOT, "| %s | 0/%d | - | - | - | - | - | - |", name, runs);
        }
        return String.format(Locale.ROOT, "| %s | %d/%d | %s | %s | %s | %s | %s | %s |", name, all.size(), runs,
                fmt(Stats.median(first)), fmt(Stats.percentile(first, 90)), fmt(Stats.median(all)),
                fmt(Stats.percentile(all, 90)), fmt(Stats.percentile(all, 0)), fmt(Stats.percentile(all, 100)));
    }

    /**
     * Pings {@code to}'s tunnel address from {@code from}'s every 50 ms ({@code ping -I FROM -i 0.05
     * -c 1 -w SECONDS}, started again whenever it gives up early, as before the interface exists)
     * until one answers; completes with the ms from {@code t0} to that answer, NaN at the deadline.
     */
    private static CompletableFuture<Double> firstPing(MeshPeer from, MeshPeer to, long t0, long deadline) {
        return CompletableFuture.supplyAsync(() -> {
            while (System.nanoTime() < deadline) {
                long sent = System.nanoTime();
                long left = Math.max(1, (deadline - sent) / 1_000_000_000L);
                // one ping process sends every 50 ms until the first reply; from the tunnel address (else it
                // would pick another source before the interface exists, which the peer's allowed IPs drop),
                // so it exits at once (and is started again) until the daemon has made the interface
                Exec.Result r = Exec.run(Duration.ofSeconds(left + 5), List.of("ip", "netns", "exec", from.host().netns(),
                        "ping", "-n", "-q", "-I", from.tunnelIp(), "-i", "0.05", "-c", "1", "-w", Long.toString(left),
                        to.tunnelIp()));
                if (r.ok()) {
                    return (System.nanoTime() - t0) / 1e6;
                }
                long wait = sent + PING_EVERY_NANOS - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing the probes, not synchronisation
                }
            }
            return Double.NaN;
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    }

    private static String fmt(double ms) {
        return Double.isNaN(ms) ? "timeout" : String.format(Locale.ROOT, "%.0f ms", ms);
    }
}
