package org.cunicu4j.e2e.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cunicu4j.e2e.daemon.Meshes;
import org.cunicu4j.e2e.daemon.Stats;
import org.cunicu4j.e2e.daemon.StatusView;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Iperf3;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.WgPair;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.Scenario;

/**
 * iperf3 TCP, one stream, through the mesh on one switch, side by side in one run:
 * <ul>
 *   <li>{@code go-direct} — the baseline: two wireguard-go peers configured directly with
 *       {@code wg} (keys, endpoints), no daemon ({@link DirectWireguardGoLan});</li>
 *   <li>{@code bind} — the daemons with our devices: WireGuard and ICE share the device's
 *       sockets through the Bind (BindProxy);</li>
 *   <li>{@code user} — the daemons adopting wireguard-go devices: every packet is copied
 *       between wireguard-go's loopback endpoint and the ICE connection (UserspaceProxy).</li>
 * </ul>
 * Per configuration: alice → bob's tunnel address for {@code seconds} (after {@code omit}
 * seconds not counted), and {@code ping -c 50 -i 0.02} (median, p99) after it. The ratios
 * are to {@code go-direct}. The mesh configurations print the selected pair and proxy mode of
 * alice's session with bob, to show what was measured.
 *
 * <p>Run as root from the repository root (see e2e/README.md):
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp "e2e/target/classes:$(cat e2e/target/bench.classpath)" \
 *     org.cunicu4j.e2e.bench.MeshThroughputBench [seconds=10] [omit=2] [configs=go-direct,bind,user]
 * </pre>
 */
public final class MeshThroughputBench {
    private static final int PORT = Iperf3.DEFAULT_PORT;

    private MeshThroughputBench() {}

    private record Row(String name, double tcpBps, double pingMedianMs, double pingP99Ms, String what) {}

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int omit = 2;
        List<String> configs = List.of("go-direct", "bind", "user");
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "omit" -> omit = Integer.parseInt(kv[1]);
                case "configs" -> configs = Arrays.asList(kv[1].split(","));
                default -> throw new IllegalArgumentException(
                        "unknown argument " + a + " (seconds=N omit=N configs=go-direct,bind,user)");
            }
        }
        System.out.printf(Locale.ROOT, "mesh throughput bench: iperf3 TCP 1 stream %d s (+%d s omitted), one switch; "
                + "%d CPUs, Java %s, load average %s%n", seconds, omit, Runtime.getRuntime().availableProcessors(),
                Runtime.version(), Stats.loadAverage());
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String c : configs) {
            Row r = switch (c) {
                case "go-direct" -> direct(seconds, omit);
                case "bind" -> mesh("bind", DeviceKind.OURS, seconds, omit);
                case "user" -> mesh("user", DeviceKind.WIREGUARD_GO, seconds, omit);
                default -> throw new IllegalArgumentException("unknown configuration " + c + " (go-direct, bind, user)");
            };
            rows.put(c, r);
            System.out.printf(Locale.ROOT, "  measured %-9s TCP %.3f Gbit/s, ping median %.3f ms p99 %.3f ms (%s)%n", c,
                    r.tcpBps / 1e9, r.pingMedianMs, r.pingP99Ms, r.what);
        }
        Row base = rows.get("go-direct");
        System.out.println();
        System.out.println("| configuration | TCP Gbit/s | TCP / go-direct | ping median ms | ping p99 ms |");
        System.out.println("|---|---|---|---|---|");
        for (Row r : rows.values()) {
            System.out.printf(Locale.ROOT, "| %s | %.3f | %s | %.3f | %.3f |%n", label(r.name), r.tcpBps / 1e9,
                    Stats.ratio(r.tcpBps, base == null ? 0 : base.tcpBps), r.pingMedianMs, r.pingP99Ms);
        }
        System.out.println("load average after: " + Stats.loadAverage());
    }

    private static String label(String config) {
        return switch (config) {
            case "go-direct" -> "wireguard-go ↔ wireguard-go, configured directly (no daemon)";
            case "bind" -> "daemons with our devices (BindProxy)";
            case "user" -> "daemons adopting wireguard-go (UserspaceProxy)";
            default -> config;
        };
    }

    private static Row direct(int seconds, int omit) throws Exception {
        try (Lab lab = Lab.open()) {
            DirectWireguardGoLan lan = DirectWireguardGoLan.open(lab);
            WgPair.awaitPing(lan.alice(), lan.bobTunnelIp(), Duration.ofSeconds(20));
            return measure("go-direct", lan.alice(), lan.bob(), lan.bobTunnelIp(), seconds, omit, "wg set, LAN endpoints");
        }
    }

    private static Row mesh(String name, DeviceKind kind, int seconds, int omit) {
        try (MeshLab mesh = Meshes.start(Scenario.ONE_SWITCH, kind, Meshes.BENCH_JVM)) {
            mesh.awaitConnected(Duration.ofSeconds(180)); // the first start of three JVMs on a loaded machine is slow
            MeshPeer alice = mesh.peers().get(0);
            MeshPeer bob = mesh.peers().get(1);
            WgPair.awaitPing(alice.host(), bob.tunnelIp(), Duration.ofSeconds(20));
            String what = StatusView.parse(mesh.statusJson(alice)).peer(bob.publicKey()).map(StatusView.Peer::toString)
                    .orElse("alice has no session with bob");
            return measure(name, alice.host(), bob.host(), bob.tunnelIp(), seconds, omit, what);
        }
    }

    private static Row measure(String name, Host client, Host server, String dst, int seconds, int omit, String what) {
        Iperf3.server(server, PORT);
        double tcp = Iperf3.client(client, dst, PORT, Duration.ofSeconds(seconds), "-O", Integer.toString(omit));
        List<Double> times = new ArrayList<>(WgPair.pingTimes(client, dst, 50, "0.02"));
        return new Row(name, tcp, Stats.median(times), Stats.percentile(times, 99), what);
    }
}
