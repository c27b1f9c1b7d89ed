package org.cunicu4j.e2e.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * iperf3 through the mesh on one switch, side by side in one run, alice → bob's tunnel address:
 * <ul>
 *   <li>{@code go-direct} — the baseline: two wireguard-go peers configured directly with
 *       {@code wg} (keys, endpoints), no daemon, no ICE ({@link DirectWireguardGoLan});</li>
 *   <li>{@code user}, {@code raw}, {@code nftables}, {@code iptables} — the daemons adopting
 *       wireguard-go devices, forced to that port-sharing mode ({@code -o proxy=MODE}): the
 *       user-space proxy copies every packet between wireguard-go's loopback endpoint and the
 *       ICE connection; the three kernel modes set wireguard-go's endpoint to the remote
 *       candidate and leave the data path in the kernel;</li>
 *   <li>{@code bind} — the daemons with our devices: WireGuard and ICE share the device's
 *       sockets through the Bind (BindProxy).</li>
 * </ul>
 * Per configuration: TCP, one stream, for {@code seconds} (after {@code omit} seconds not
 * counted); {@code ping -c 50 -i 0.02} (median, p99); UDP at {@code udp-rate} ({@code 0}: as
 * fast as iperf3 sends) with 1,380-byte datagrams (no fragmentation in the tunnel), the
 * receiver's rate and the loss. The ratios are to {@code go-direct}. The mesh configurations
 * print the proxy mode and selected pair of alice's session with bob, to show what was measured.
 *
 * <p>Run as root from the repository root (see e2e/README.md):
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp "e2e/target/classes:$(cat e2e/target/bench.classpath)" \
 *     org.cunicu4j.e2e.bench.MeshThroughputBench [seconds=10] [omit=2] [udp-rate=0] \
 *     [configs=go-direct,user,raw,nftables,iptables,bind]
 * </pre>
 */
public final class MeshThroughputBench {
    private static final int PORT = Iperf3.DEFAULT_PORT;
    private static final List<String> MODES = List.of("user", "raw", "nftables", "iptables");
    private static final Pattern UDP_RECEIVED =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern UDP_LOSS =
            Pattern.compile("\"sum\"\\s*:\\s*\\{[^}]*?\"lost_percent\"\\s*:\\s*([0-9.eE+-]+)");

    private MeshThroughputBench() {}

    private record Row(String name, double tcpBps, double udpBps, double udpLossPercent, double pingMedianMs,
            double pingP99Ms, String what) {}

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int omit = 2;
        String udpRate = "0";
        List<String> configs = List.of("go-direct", "user", "raw", "nftables", "iptables", "bind");
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "omit" -> omit = Integer.parseInt(kv[1]);
                case "udp-rate" -> udpRate = kv[1];
                case "configs" -> configs = Arrays.asList(kv[1].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + " (seconds=N omit=N udp-rate=RATE configs=go-direct,user,raw,nftables,iptables,bind)");
            }
        }
        System.out.printf(Locale.ROOT, "mesh throughput bench: iperf3 TCP 1 stream %d s (+%d s omitted), UDP -b %s -l 1380 "
                + "%d s; one switch; %d CPUs, Java %s, load average %s%n", seconds, omit, udpRate, seconds,
                Runtime.getRuntime().availableProcessors(), Runtime.version(), Stats.loadAverage());
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String c : configs) {
            Row r;
            if (c.equals("go-direct")) {
                r = direct(seconds, omit, udpRate);
            } else if (c.equals("bind")) {
                r = mesh("bind", DeviceKind.OURS, null, seconds, omit, udpRate);
            } else if (MODES.contains(c)) {
                r = mesh(c, DeviceKind.WIREGUARD_GO, c, seconds, omit, udpRate);
            } else {
                throw new IllegalArgumentException("unknown configuration " + c
                        + " (go-direct, user, raw, nftables, iptables, bind)");
            }
            rows.put(c, r);
            System.out.printf(Locale.ROOT, "  measured %-9s TCP %.3f Gbit/s, UDP %.3f Gbit/s (loss %.1f %%), ping median "
                    + "%.3f ms p99 %.3f ms (%s); load average %s%n", c, r.tcpBps / 1e9, r.udpBps / 1e9, r.udpLossPercent,
                    r.pingMedianMs, r.pingP99Ms, r.what, Stats.loadAverage());
        }
        Row base = rows.get("go-direct");
        System.out.println();
        System.out.println("| configuration | TCP Gbit/s | TCP / go-direct | UDP received Gbit/s | UDP / go-direct | UDP loss "
                + "| ping median ms | ping p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Row r : rows.values()) {
            System.out.printf(Locale.ROOT, "| %s | %.3f | %s | %.3f | %s | %.1f %% | %.3f | %.3f |%n", label(r.name),
                    r.tcpBps / 1e9, Stats.ratio(r.tcpBps, base == null ? 0 : base.tcpBps), r.udpBps / 1e9,
                    Stats.ratio(r.udpBps, base == null ? 0 : base.udpBps), r.udpLossPercent, r.pingMedianMs, r.pingP99Ms);
        }
        System.out.println("load average after: " + Stats.loadAverage());
    }

    private static String label(String config) {
        return switch (config) {
            case "go-direct" -> "wireguard-go ↔ wireguard-go, configured directly (no daemon, no ICE)";
            case "user" -> "daemons adopting wireguard-go, proxy: user (UserspaceProxy)";
            case "raw" -> "daemons adopting wireguard-go, proxy: raw (RawSocketProxy)";
            case "nftables" -> "daemons adopting wireguard-go, proxy: nftables (NftablesProxy)";
            case "iptables" -> "daemons adopting wireguard-go, proxy: iptables (IptablesProxy)";
            case "bind" -> "daemons with our devices (BindProxy)";
            default -> config;
        };
    }

    private static Row direct(int seconds, int omit, String udpRate) throws Exception {
        try (Lab lab = Lab.open()) {
            DirectWireguardGoLan lan = DirectWireguardGoLan.open(lab);
            WgPair.awaitPing(lan.alice(), lan.bobTunnelIp(), Duration.ofSeconds(20));
            return measure("go-direct", lan.alice(), lan.bob(), lan.bobTunnelIp(), seconds, omit, udpRate,
                    "wg set, LAN endpoints");
        }
    }

    /** A mesh of {@code kind} devices, every daemon forced to {@code proxy} (null: auto). */
    private static Row mesh(String name, DeviceKind kind, String proxy, int seconds, int omit, String udpRate) {
        try (MeshLab mesh = Meshes.start(Scenario.ONE_SWITCH, kind, Meshes.BENCH_JVM, b -> {
            if (proxy != null) {
                b.daemonOption("proxy", proxy);
            }
        })) {
            mesh.awaitConnected(Duration.ofSeconds(180)); // the first start of three JVMs on a loaded machine is slow
            MeshPeer alice = mesh.peers().get(0);
            MeshPeer bob = mesh.peers().get(1);
            WgPair.awaitPing(alice.host(), bob.tunnelIp(), Duration.ofSeconds(20));
            String what = StatusView.parse(mesh.statusJson(alice)).peer(bob.publicKey()).map(StatusView.Peer::toString)
                    .orElse("alice has no session with bob");
            return measure(name, alice.host(), bob.host(), bob.tunnelIp(), seconds, omit, udpRate, what);
        }
    }

    private static Row measure(String name, Host client, Host server, String dst, int seconds, int omit, String udpRate,
            String what) {
        Iperf3.server(server, PORT);
        double tcp = Iperf3.client(client, dst, PORT, Duration.ofSeconds(seconds), "-O", Integer.toString(omit));
        List<Double> times = new ArrayList<>(WgPair.pingTimes(client, dst, 50, "0.02"));
        // no -O here: iperf3's loss count is wrong over omitted seconds
        String udpJson = client.run(Duration.ofSeconds(seconds + 20), "iperf3", "-J", "-c", dst, "-p",
                Integer.toString(PORT), "-t", Integer.toString(seconds), "-u", "-b", udpRate, "-l", "1380").stdout();
        return new Row(name, tcp, number(udpJson, UDP_RECEIVED), number(udpJson, UDP_LOSS), Stats.median(times),
                Stats.percentile(times, 99), what);
    }

    private static double number(String json, Pattern p) {
        Matcher m = p.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + p.pattern() + " in iperf3's output:\n" + json);
        }
        return Double.parseDouble(m.group(1));
    }
}
