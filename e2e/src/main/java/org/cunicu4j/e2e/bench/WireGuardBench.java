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
import org.cunicu4j.e2e.wg.DeviceMain;
import org.cunicu4j.e2e.wg.InJvmDevice;
import org.cunicu4j.e2e.wg.OurDevice;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Iperf3;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.WgPair;

/**
 * Throughput and latency through WireGuard tunnels between two network namespaces, every
 * configuration in one run, side by side: (a) our device against our device, (b) a
 * wireguard-go pair, (c) our device against wireguard-go (ours sends, so the TCP and UDP
 * figures are of our seal path and wireguard-go's open path, and (c') the reverse), and the
 * bare veth underneath as the ceiling. Each device runs in a JVM (or wireguard-go process)
 * of its own inside its namespace and is configured only with {@code wg}.
 *
 * <p>Per configuration: iperf3 TCP single stream for {@code seconds} (after {@code omit}
 * seconds not counted, for the JIT), iperf3 UDP at {@code udp-rate} (0 = as fast as the
 * sender can, {@code -l 1380} so nothing fragments in the tunnel) with the receiver's rate
 * and the loss, and {@code ping -c 100 -i 0.01} through the tunnel (median, p99) between
 * the two (so ours is warm and no UDP queue is left). The
 * ratios are to (b).
 *
 * <p>Run from the repository root after {@code ./mvnw -B -q -pl e2e -am package -DskipTests}
 * (as root; needs wireguard-go, wg, iperf3, ping):
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp "e2e/target/classes:$(cat e2e/target/bench.classpath)" \
 *     org.cunicu4j.e2e.bench.WireGuardBench [seconds=10] [omit=2] [udp-rate=0] [configs=veth,go,ours,ours-go,go-ours]
 *     [device-jvm='-XX:StartFlightRecording=filename=/tmp/dev-%p.jfr ...'] [device-args='tun-offload=false ...']
 * </pre>
 */
public final class WireGuardBench {
    private static final int PORT = Iperf3.DEFAULT_PORT;

    private WireGuardBench() {}

    /** One measured configuration. */
    private record Row(String name, double tcpBps, double udpBps, double udpLossPercent, double pingMedianMs,
            double pingP99Ms) {}

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int omit = 2;
        String udpRate = "0";
        List<String> configs = List.of("veth", "go", "ours", "ours-go", "go-ours");
        List<String> deviceJvm = List.of();
        List<String> deviceArgs = List.of();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "omit" -> omit = Integer.parseInt(kv[1]);
                case "udp-rate" -> udpRate = kv[1];
                case "configs" -> configs = Arrays.asList(kv[1].split(","));
                case "device-jvm" -> deviceJvm = Arrays.asList(kv[1].split(" "));
                case "device-args" -> deviceArgs = Arrays.asList(kv[1].split(" "));
                default -> throw new IllegalArgumentException("unknown argument " + arg
                        + " (seconds=N omit=N udp-rate=RATE configs=veth,go,ours,ours-go,go-ours device-jvm='-Xmx1g ...' device-args='tun-offload=false ...')");
            }
        }
        System.out.printf(Locale.ROOT, "wireguard bench: iperf3 TCP 1 stream %d s (+%d s omitted), UDP -b %s -l 1380 %d s, "
                + "ping -c 100 -i 0.01; our device's JVM options %s, its options %s; %d CPUs, Java %s, load average %s%n",
                seconds, omit, udpRate, seconds, deviceJvm, deviceArgs, Runtime.getRuntime().availableProcessors(), Runtime.version(), loadAverage());
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String config : configs) {
            Row row = measure(config, seconds, omit, udpRate, deviceJvm, deviceArgs);
            rows.put(config, row);
            System.out.printf(Locale.ROOT, "  measured %-8s TCP %.2f Gbit/s, UDP %.2f Gbit/s (loss %.1f %%), ping median %.3f ms p99 %.3f ms%n",
                    config, row.tcpBps / 1e9, row.udpBps / 1e9, row.udpLossPercent, row.pingMedianMs, row.pingP99Ms);
        }
        Row base = rows.get("go");
        System.out.println();
        System.out.println("| configuration | TCP Gbit/s | TCP / (b) | UDP received Gbit/s | UDP loss | UDP / (b) | ping median ms | ping p99 ms | median − (b) ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows.values()) {
            System.out.printf(Locale.ROOT, "| %s | %.2f | %s | %.2f | %.1f %% | %s | %.3f | %.3f | %s |%n",
                    label(r.name), r.tcpBps / 1e9, ratio(r.tcpBps, base == null ? 0 : base.tcpBps),
                    r.udpBps / 1e9, r.udpLossPercent, ratio(r.udpBps, base == null ? 0 : base.udpBps),
                    r.pingMedianMs, r.pingP99Ms,
                    base == null ? "-" : String.format(Locale.ROOT, "%+.3f", r.pingMedianMs - base.pingMedianMs));
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static String label(String config) {
        return switch (config) {
            case "veth" -> "bare veth (no tunnel)";
            case "go" -> "(b) wireguard-go ↔ wireguard-go";
            case "ours" -> "(a) cunicu4j ↔ cunicu4j";
            case "ours-go" -> "(c) cunicu4j → wireguard-go";
            case "go-ours" -> "(c') wireguard-go → cunicu4j";
            case "ours-injvm" -> "(a) in one JVM: both devices in this bench's JVM";
            default -> config;
        };
    }

    private static String ratio(double x, double base) {
        return base <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", x / base);
    }

    private static Row measure(String config, int seconds, int omit, String udpRate, List<String> deviceJvm,
            List<String> deviceArgs) throws Exception {
        try (Lab lab = Lab.open()) {
            Host client;
            Host server;
            String dst;
            if (config.equals("veth")) {
                client = lab.host("a");
                server = lab.host("b");
                lab.link(client, "10.200.0.1/24", server, "10.200.0.2/24");
                dst = "10.200.0.2";
            } else {
                WgPair pair = WgPair.open(lab, starter(config, 0, deviceJvm, deviceArgs),
                        starter(config, 1, deviceJvm, deviceArgs));
                client = pair.a().host();
                server = pair.b().host();
                dst = WgPair.TUNNEL_B;
                WgPair.awaitPing(client, dst, Duration.ofSeconds(20));
            }
            Iperf3.server(server, PORT);
            Map<String, Long> c0 = netStats(client);
            Map<String, Long> s0 = netStats(server);
            double tcp = Iperf3.client(client, dst, PORT, Duration.ofSeconds(seconds), "-O", Integer.toString(omit));
            System.out.printf(Locale.ROOT, "    %s TCP: sender %s, receiver %s%n", config, delta(c0, netStats(client)),
                    delta(s0, netStats(server)));
            // ping after TCP (our JVMs are warm) and before the UDP flood (no queues left over)
            List<Double> times = new ArrayList<>(WgPair.pingTimes(client, dst, 100, "0.01"));
            times.sort(null);
            // no -O here: iperf3's loss count is wrong over omitted seconds
            String udpJson = client.run(Duration.ofSeconds(seconds + 20), "iperf3", "-J", "-c", dst,
                    "-p", Integer.toString(PORT), "-t", Integer.toString(seconds),
                    "-u", "-b", udpRate, "-l", "1380").stdout();
            double udp = number(udpJson, "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+-]+)");
            double loss = number(udpJson, "\"sum\"\\s*:\\s*\\{[^}]*?\"lost_percent\"\\s*:\\s*([0-9.eE+-]+)");
            return new Row(config, tcp, udp, loss, percentile(times, 50), percentile(times, 99));
        }
    }

    /** Side {@code index} (0 = a, the iperf3 client; 1 = b, the server) of a configuration. */
    private static WgPair.Starter starter(String config, int index, List<String> deviceJvm, List<String> deviceArgs) {
        String kind = switch (config) {
            case "go" -> "go";
            case "ours" -> "ours";
            case "ours-injvm" -> "injvm";
            case "ours-go" -> index == 0 ? "ours" : "go";
            case "go-ours" -> index == 0 ? "go" : "ours";
            default -> throw new IllegalArgumentException("unknown configuration " + config);
        };
        return switch (kind) {
            case "go" -> WgPair.WIREGUARD_GO;
            case "injvm" -> InJvmDevice.starter(DeviceMain.options(args(deviceArgs)));
            default -> OurDevice.processStarter(deviceJvm, deviceArgs.toArray(String[]::new));
        };
    }

    /** The kernel's UDP and TCP counters of a host's namespace that tell of loss: /proc/net/snmp. */
    private static Map<String, Long> netStats(Host host) {
        Map<String, Long> m = new LinkedHashMap<>();
        String[] lines = host.run("cat", "/proc/net/snmp").stdout().split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            String[] names = lines[i].split("\\s+");
            String[] values = lines[i + 1].split("\\s+");
            if (!names[0].equals(values[0]) || !(names[0].equals("Udp:") || names[0].equals("Tcp:"))) {
                continue;
            }
            for (int k = 1; k < names.length && k < values.length; k++) {
                if (List.of("RcvbufErrors", "SndbufErrors", "InErrors", "RetransSegs", "OutSegs").contains(names[k])) {
                    m.put(names[0].substring(0, 3) + names[k], Long.parseLong(values[k]));
                }
            }
        }
        return m;
    }

    private static String delta(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder sb = new StringBuilder();
        after.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v - before.getOrDefault(k, 0L)));
        return sb.toString();
    }

    /** DeviceMain's argument list: an interface name (unused) then the options. */
    private static String[] args(List<String> deviceArgs) {
        List<String> a = new ArrayList<>();
        a.add("-");
        a.addAll(deviceArgs);
        return a.toArray(String[]::new);
    }

    private static double number(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no match for " + regex + " in iperf3 output:\n" + json);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
