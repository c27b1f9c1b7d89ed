package org.cunicu4j.e2e.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.gather.HostGatherer;
import org.cunicu4j.ice.gather.RelayGatherer;
import org.cunicu4j.ice.gather.SrflxGatherer;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.TwoNats;

/**
 * Time for two of our ICE agents to connect: from the moment both are told to gather and
 * start until both are connected (the later of the two), repeated {@code runs} times per
 * case, median and p90 printed as a table. Cases, each in a lab of its own (network
 * namespaces; needs root, coturn, nft):
 * <ul>
 *   <li>{@code lan}: two hosts on one switch, host candidates only (host–host);</li>
 *   <li>{@code nat}: two endpoint-independent NATs, coturn as STUN server (srflx);</li>
 *   <li>{@code relay}: two symmetric NATs, coturn as STUN and TURN server (relay).</li>
 * </ul>
 * Fresh agents and gatherers each run (sockets, TURN allocations), candidates trickled
 * in-process the moment they are found, production timers ({@link IceConfig#defaults()}).
 * A run that has not connected within {@code timeout} seconds counts as failed.
 *
 * <p>Run from the repository root (see e2e/README.md):
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp cli/target/cunicu4j.jar:testlab/target/classes:e2e/target/classes \
 *     org.cunicu4j.e2e.bench.IceConnectBench [runs=20] [cases=lan,nat,relay] [timeout=15]
 * </pre>
 */
public final class IceConnectBench {
    private static final String USER = "bench";
    private static final String PASSWORD = "bench-password";
    private static final String STUN = "stun:" + Topology.SERVER_IP + ":" + Coturn.DEFAULT_PORT;
    private static final String TURN = "turn:" + Topology.SERVER_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp";

    private IceConnectBench() {}

    public static void main(String[] args) throws Exception {
        int runs = 20;
        List<String> cases = List.of("lan", "nat", "relay");
        Duration timeout = Duration.ofSeconds(15);
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "runs" -> runs = Integer.parseInt(kv[1]);
                case "cases" -> cases = Arrays.asList(kv[1].split(","));
                case "timeout" -> timeout = Duration.ofSeconds(Long.parseLong(kv[1]));
                default -> throw new IllegalArgumentException(
                        "unknown argument " + a + " (runs=N cases=lan,nat,relay timeout=SECONDS)");
            }
        }
        IceConfig config = IceConfig.defaults();
        System.out.printf(Locale.ROOT, "ice connect bench: %d runs per case, timeout %d s, check interval %d ms, "
                + "%d CPUs, Java %s, load average %s%n", runs, timeout.toSeconds(), config.checkInterval().toMillis(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), loadAverage());
        Map<String, Result> results = new TreeMap<>();
        for (String c : cases) {
            results.put(c, switch (c) {
                case "lan" -> lan(runs, config, timeout);
                case "nat" -> nat(runs, config, timeout);
                case "relay" -> relay(runs, config, timeout);
                default -> throw new IllegalArgumentException("unknown case " + c + " (lan, nat, relay)");
            });
        }
        System.out.println();
        System.out.println("| case | selected pair (a's view) | runs ok | median | p90 | min | max |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String c : cases) {
            System.out.println(results.get(c).row(c));
        }
    }

    private static Result lan(int runs, IceConfig config, Duration timeout) throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            return measure("lan", runs, config, timeout, lan.alice(), lan.bob(), IceConnectBench::host);
        }
    }

    private static Result nat(int runs, IceConfig config, Duration timeout) throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn.builder(t.server()).listen(Topology.SERVER_IP).user(USER, PASSWORD).start();
            return measure("nat", runs, config, timeout, t.alice(), t.bob(), IceConnectBench::hostAndSrflx);
        }
    }

    private static Result relay(int runs, IceConfig config, Duration timeout) throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.SYMMETRIC, NatType.SYMMETRIC);
            // a default route, as a server on the internet has: relayed checks towards private host candidates
            // are then lost on the way instead of failing with ENETUNREACH, after which coturn stops relaying
            t.server().run("ip", "route", "add", "default", "via", "198.18.0.254");
            Coturn.builder(t.server()).listen(Topology.SERVER_IP).user(USER, PASSWORD).start();
            return measure("relay", runs, config, timeout, t.alice(), t.bob(), () -> {
                List<Gatherer> g = new ArrayList<>(hostAndSrflx());
                g.add(RelayGatherer.builder(List.of(TurnUrl.parse(TURN))).credentials(USER, PASSWORD)
                        .requestTimeout(Duration.ofSeconds(5)).build());
                return g;
            });
        }
    }

    private static List<Gatherer> host() {
        return List.of(HostGatherer.builder().build());
    }

    private static List<Gatherer> hostAndSrflx() {
        HostGatherer host = HostGatherer.builder().build();
        return List.of(host, new SrflxGatherer(List.of(StunUrl.parse(STUN)), host, Duration.ofSeconds(5)));
    }

    private static Result measure(String name, int runs, IceConfig config, Duration timeout, Host alice, Host bob,
            BenchPeer.GathererFactory gatherers) throws Exception {
        Result r = new Result();
        for (int i = 0; i < runs; i++) {
            try (BenchPeer a = BenchPeer.create(alice.netns(), config, IceRole.CONTROLLING, gatherers);
                    BenchPeer b = BenchPeer.create(bob.netns(), config, IceRole.CONTROLLED, gatherers)) {
                BenchPeer.pair(a, b);
                long t0 = System.nanoTime();
                a.start();
                b.start();
                long deadline = t0 + timeout.toNanos();
                if (a.awaitConnected(deadline) && b.awaitConnected(deadline)) {
                    long took = Math.max(a.connectedAt(), b.connectedAt()) - t0;
                    r.add(took, a.selectedPairType());
                    System.out.printf(Locale.ROOT, "%s run %d: %.1f ms (%s)%n", name, i + 1, took / 1e6,
                            a.selectedPairType());
                } else {
                    r.failed++;
                    System.out.printf(Locale.ROOT, "%s run %d: not connected within %d s (a %s, b %s)%n", name, i + 1,
                            timeout.toSeconds(), a.state(), b.state());
                }
            }
        }
        return r;
    }

    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** The connect times of one case (nanoseconds) and the pair types seen. */
    private static final class Result {
        private final List<Long> times = new ArrayList<>();
        private final Map<String, Integer> types = new TreeMap<>();
        private int failed;

        void add(long nanos, String type) {
            times.add(nanos);
            types.merge(type, 1, Integer::sum);
        }

        String row(String name) {
            int total = times.size() + failed;
            if (times.isEmpty()) {
                return String.format(Locale.ROOT, "| %s | - | 0/%d | - | - | - | - |", name, total);
            }
            long[] s = times.stream().mapToLong(Long::longValue).sorted().toArray();
            return String.format(Locale.ROOT, "| %s | %s | %d/%d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |", name,
                    types, s.length, total, percentile(s, 50) / 1e6, percentile(s, 90) / 1e6, s[0] / 1e6,
                    s[s.length - 1] / 1e6);
        }

        /** Nearest-rank percentile. */
        private static long percentile(long[] sorted, int p) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }
    }
}
