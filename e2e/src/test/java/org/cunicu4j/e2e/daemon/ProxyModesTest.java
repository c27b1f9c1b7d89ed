package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.cunicu4j.e2e.wg.TcpTransfer;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.proxy.user.UserspaceProxy;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.PingMatrix;
import org.cunicu4j.testlab.mesh.Scenario;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each port-sharing mode for an external WireGuard device, end to end through the daemon:
 * testlab's {@link MeshLab} in its {@link Scenario#DEMO} network (alice and bob behind
 * endpoint-independent NATs, so they meet directly; carol behind a symmetric NAT, so her
 * pairs relay through coturn) with wireguard-go devices the daemons adopt, every daemon
 * forced to the mode ({@code -o proxy=MODE}). Per mode:
 * <ul>
 *   <li>every peer pings every other through the tunnels, and 100 MB over TCP from alice to
 *       bob arrive with the SHA-256 sent;</li>
 *   <li>the status (JSON and table) shows the mode and the key that forced it for the
 *       interface, the mode for each direct session, and for a session whose local candidate
 *       is a relay the fallback to the user-space proxy with its reason;</li>
 *   <li>what the mode installs is in alice's namespace while she is connected (an nft table,
 *       iptables chains, raw UDP sockets: read with {@code nft list ruleset},
 *       {@code iptables-save}, {@code /proc/net/raw}); after {@code kill -9} of her daemon it
 *       is left behind, and after a restart it is there once (no duplicates) and the tunnels
 *       work again; after a graceful shutdown (SIGTERM) nothing of it is left.</li>
 * </ul>
 * {@code -De2e.proxyModes=raw,nftables} runs only those modes.
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "iptables-save", "ip6tables-save", "turnserver", "wg", "wireguard-go", "ping"})
class ProxyModesTest {
    private static final Duration CONNECT = Duration.ofSeconds(90);
    /** The first pings start WireGuard handshakes: pinged again until every pair answers. */
    private static final Duration PINGS = Duration.ofSeconds(20);
    private static final long TRANSFER_BYTES = 100L * 1000 * 1000;
    private static final Duration TRANSFER_DEADLINE = Duration.ofSeconds(120);
    private static final int TRANSFER_PORT = 5201;

    static Stream<String> modes() {
        String only = System.getProperty("e2e.proxyModes", "");
        return Stream.of("user", "raw", "nftables", "iptables")
                .filter(m -> only.isBlank() || List.of(only.split(",")).contains(m));
    }

    @ParameterizedTest(name = "proxy: {0}")
    @MethodSource("modes")
    void theModeCarriesTheMeshInstallsItsStateOnceAndRemovesIt(String mode) throws Exception {
        long t0 = System.nanoTime();
        try (MeshLab mesh = Meshes.start(Scenario.DEMO, DeviceKind.WIREGUARD_GO, Meshes.TEST_JVM,
                b -> b.daemonOption("proxy", mode))) {
            MeshPeer alice = mesh.peer("alice");
            MeshPeer bob = mesh.peer("bob");
            mesh.awaitConnected(CONNECT);
            long connected = System.nanoTime();
            assertPings(mesh, "with every daemon on proxy " + mode);

            int fallbacks = 0;
            for (MeshPeer p : mesh.peers()) {
                fallbacks += assertStatus(mesh, p, mode);
            }
            if (!mode.equals("user")) {
                assertThat(fallbacks).as("sessions with a local relay candidate fall back to user (carol relays)")
                        .isPositive();
            }
            StatusView alices = StatusView.parse(mesh.statusJson(alice));
            assertThat(alices.peer(bob.publicKey()).map(StatusView.Peer::proxyMode))
                    .as("alice and bob meet directly: the mode itself serves them%n%s", alices.json()).contains(mode);

            TcpTransfer.Result r = TcpTransfer.run(alice.host(), bob.host(), bob.tunnelIp(), TRANSFER_PORT,
                    TRANSFER_BYTES, 8, TRANSFER_DEADLINE);
            System.out.printf(Locale.ROOT, "proxy %s: 100 MB alice -> bob in %s (%.0f Mbit/s)%n", mode, r.took(),
                    r.mbitPerSecond());
            assertThat(r.receivedBytes()).isEqualTo(TRANSFER_BYTES);
            assertThat(r.receivedSha256()).as("SHA-256 of what arrived").isEqualTo(r.sentSha256());

            KernelState running = KernelState.read(alice.host(), alice.ifname());
            assertInstalledOnce(mode, running, "while alice is connected");

            mesh.killDaemon(alice, "KILL");
            KernelState crashed = KernelState.read(alice.host(), alice.ifname());
            if (mode.equals("nftables") || mode.equals("iptables")) {
                assertThat(crashed.noRules()).as("a killed daemon leaves its rules behind:%n%s", crashed).isFalse();
            }
            mesh.restartDaemon(alice);
            mesh.awaitConnected(CONNECT);
            assertPings(mesh, "after alice's daemon was killed and restarted");
            KernelState restarted = KernelState.read(alice.host(), alice.ifname());
            assertInstalledOnce(mode, restarted, "after kill -9 and a restart");

            mesh.killDaemon(alice, "TERM");
            KernelState stopped = KernelState.read(alice.host(), alice.ifname());
            assertThat(stopped.noRules()).as("nothing left after a graceful shutdown:%n%s", stopped).isTrue();
            assertThat(stopped.rawUdpSockets()).as("no raw socket left:%n%s", stopped).isZero();
            System.out.printf(Locale.ROOT, "proxy %s: connected after %.1f s, whole case %.1f s%n", mode,
                    (connected - t0) / 1e9, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void assertPings(MeshLab mesh, String when) {
        PingMatrix pings = mesh.awaitPings(PINGS);
        assertThat(pings.failures()).as("pings through the tunnels that failed %s:%n%s", when, pings.format()).isEmpty();
    }

    /**
     * {@code p}'s interface runs {@code mode}, forced by the configuration; each session is
     * CONNECTED on {@code mode}, or on user with the relay fallback's reason where its local
     * candidate is a relay (kernel modes). Returns how many sessions fell back.
     */
    private static int assertStatus(MeshLab mesh, MeshPeer p, String mode) {
        StatusView status = StatusView.parse(mesh.statusJson(p));
        String where = p.name() + "'s status:\n" + status.json();
        assertThat(status.interfaceProxyMode(p.ifname())).as(where).isEqualTo(mode);
        assertThat(status.interfaceProxyReason(p.ifname())).as(where)
                .isEqualTo("forced by proxy: " + mode + " in " + p.configFile());
        int fallbacks = 0;
        for (MeshPeer q : mesh.peers()) {
            if (q == p) {
                continue;
            }
            StatusView.Peer s = status.peer(q.publicKey()).orElseThrow(() -> new AssertionError(
                    p.name() + " has no session with " + q.name() + ": " + where));
            String session = p.name() + "'s session with " + q.name() + " (" + s + "): " + where;
            assertThat(s.state()).as(session).isEqualTo("CONNECTED");
            if (mode.equals("user")) {
                assertThat(s.proxyMode()).as(session).isEqualTo("user");
                assertThat(s.proxyReason()).as(session).isEqualTo(UserspaceProxy.REASON);
            } else if ("relay".equals(s.localType())) {
                fallbacks++;
                assertThat(s.proxyMode()).as(session + ": a relay pair falls back").isEqualTo("user");
                assertThat(s.proxyReason()).as(session).isEqualTo(RelayFallback.REASON);
            } else {
                assertThat(s.proxyMode()).as(session).isEqualTo(mode);
            }
        }
        if (p.name().equals("alice") || fallbacks > 0) { // a status command is a JVM start: only where it shows something new
            String table = mesh.statusText(p);
            assertThat(table).as("the status table of " + p.name())
                    .contains(mode + " (forced by proxy: " + mode + " in " + p.configFile() + ")");
            if (fallbacks > 0) {
                assertThat(table).as("the status table of " + p.name() + " shows the fallback")
                        .contains("user (" + RelayFallback.REASON + ")");
            }
        }
        return fallbacks;
    }

    /** What {@code mode} installs is in {@code s}, once. */
    private static void assertInstalledOnce(String mode, KernelState s, String when) {
        String what = "alice's namespace " + when + ":\n" + s;
        assertThat(s.duplicates()).as("nothing installed twice in " + what).isEmpty();
        switch (mode) {
            case "nftables" -> {
                assertThat(s.nftTables()).as("one nft table of the interface in " + what).hasSize(1);
                assertThat(s.iptables()).as("no iptables rules in " + what).isEmpty();
            }
            case "iptables" -> {
                assertThat(s.iptablesChains()).as("iptables chains of the interface in " + what).isNotEmpty();
                assertThat(s.iptablesRules())
                        .as("iptables rules of the interface in " + what).isNotEmpty();
            }
            case "raw" -> {
                assertThat(s.noRules()).as("no rules in " + what).isTrue();
                assertThat(s.rawUdpSockets()).as("the raw mode's UDP sockets (one per family at most) in " + what)
                        .isBetween(1, 2);
            }
            case "user" -> {
                assertThat(s.noRules()).as("no rules in " + what).isTrue();
                assertThat(s.rawUdpSockets()).as("no raw sockets in " + what).isZero();
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }
}
