package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.PingMatrix;
import org.cunicu4j.testlab.mesh.Scenario;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three peers, a {@code cunicu4j daemon} each, a signaling server and coturn (testlab's
 * {@link MeshLab}), in each network the issue names — one switch (host pairs; the remote end
 * may be learned as peer-reflexive from the peer's first check), three endpoint-independent
 * NATs (server-reflexive or peer-reflexive pairs), three symmetric NATs and UDP between the
 * NATs blocked (both relay through coturn) — once with our userspace
 * devices (BindProxy) and once with wireguard-go devices the daemons adopt ({@code proxy:
 * auto}: nftables where it opens, else iptables, raw, user): every peer pings every other
 * through the tunnels, and every daemon's {@code status --json} reports each of its two
 * sessions connected, with the pair types the network allows, the interface's mode with
 * the reason for every fallback, and per session the interface's mode, or user where a
 * kernel mode's session has a local relay candidate.
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "turnserver", "wg", "wireguard-go", "ping"})
class MeshPingTest {
    private static final Duration CONNECT = Duration.ofSeconds(90);
    /** The first pings start WireGuard handshakes: pinged again until every pair answers. */
    private static final Duration PINGS = Duration.ofSeconds(20);

    /**
     * Every network × device kind; {@code -De2e.meshes=ONE_SWITCH:OURS,EI_NATS:WIREGUARD_GO} runs only
     * those (for a quick look at one case).
     */
    static Stream<Arguments> meshes() {
        String only = System.getProperty("e2e.meshes", "");
        return Stream.of(Scenario.ONE_SWITCH, Scenario.EI_NATS, Scenario.SYMMETRIC_NATS, Scenario.UDP_BLOCKED)
                .flatMap(s -> Stream.of(DeviceKind.OURS, DeviceKind.WIREGUARD_GO).map(k -> new Object[] {s, k}))
                .filter(c -> only.isBlank() || List.of(only.split(",")).contains(c[0] + ":" + c[1]))
                .map(c -> Arguments.of(c[0], c[1]));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("meshes")
    void everyPeerPingsEveryOtherAndStatusReportsThePairTypesAndProxyMode(Scenario scenario, DeviceKind kind) {
        long t0 = System.nanoTime();
        try (MeshLab mesh = Meshes.start(scenario, kind)) {
            mesh.awaitConnected(CONNECT);
            long connected = System.nanoTime();

            PingMatrix pings = mesh.awaitPings(PINGS);
            assertThat(pings.failures()).as("pings through the tunnels that failed:%n%s", pings.format()).isEmpty();

            List<MeshPeer> peers = mesh.peers();
            for (MeshPeer p : peers) {
                StatusView status = StatusView.parse(mesh.statusJson(p));
                String mode = assertAutoMode(kind, status, p);
                for (MeshPeer q : peers) {
                    if (q == p) {
                        continue;
                    }
                    StatusView.Peer s = status.peer(q.publicKey()).orElseThrow(() -> new AssertionError(
                            p.name() + "'s status has no session with " + q.name() + ":\n" + status.json()));
                    String where = p.name() + "'s session with " + q.name() + " (" + s + ")";
                    assertThat(s.state()).as(where).isEqualTo("CONNECTED");
                    boolean kernelMode = List.of("raw", "nftables", "iptables").contains(mode);
                    // a kernel mode cannot reach a TURN allocation: a local relay candidate falls back to user
                    String expected = kernelMode && "relay".equals(s.localType()) ? "user" : mode;
                    assertThat(s.proxyMode()).as(where + ": proxy mode").isEqualTo(expected);
                    assertPairTypes(scenario, p.index(), q.index(), s, where);
                }
            }
            System.out.printf(java.util.Locale.ROOT, "%s with %s: connected after %.1f s, whole test %.1f s%n%s",
                    scenario, kind, (connected - t0) / 1e9, (System.nanoTime() - t0) / 1e9, pings.format());
        }
    }

    /**
     * {@code proxy: auto}'s choice for {@code p}'s interface: bind for our device; for
     * wireguard-go the first of nftables, iptables, raw, user that opens, the reason naming
     * why each better one was passed over. Returns the mode.
     */
    private static String assertAutoMode(DeviceKind kind, StatusView status, MeshPeer p) {
        String mode = status.interfaceProxyMode(p.ifname());
        String reason = status.interfaceProxyReason(p.ifname());
        String where = p.name() + "'s interface (" + mode + ": " + reason + ")";
        assertThat(reason).as(where).startsWith("auto: ");
        if (kind == DeviceKind.OURS) {
            assertThat(mode).as(where).isEqualTo("bind");
            return mode;
        }
        List<String> order = List.of("nftables", "iptables", "raw", "user");
        assertThat(mode).as(where).isIn(order);
        for (String better : order.subList(0, order.indexOf(mode))) {
            assertThat(reason).as(where + ": why " + better + " was passed over").containsAnyOf(
                    better + " unavailable: ", better + " failed: ");
        }
        assertThat(reason).as(where).contains("chose " + mode + ": ");
        return mode;
    }

    private static void assertPairTypes(Scenario scenario, int i, int j, StatusView.Peer s, String where) {
        List<String> types = java.util.Arrays.asList(s.localType(), s.remoteType());
        if (scenario.oneSwitch()) {
            // a host pair; the remote end may be peer-reflexive: the peer's host address learned from its
            // check before its candidate arrived through signaling (RFC 8445 7.3.1.3), the same address
            assertThat(s.localType()).as(where + ": local candidate on one switch").isEqualTo("host");
            assertThat(s.remoteType()).as(where + ": remote candidate on one switch").isIn("host", "prflx");
            assertThat(s.remoteIp()).as(where + ": remote address on one switch").startsWith("198.18.0.");
        } else if (scenario.relayExpected(i, j)) {
            assertThat(types).as(where + ": a relay candidate in the pair").contains("relay");
        } else {
            assertThat(types).as(where + ": no relay behind endpoint-independent NATs").doesNotContain("relay");
            assertThat(types).as(where + ": a reflexive candidate behind NATs").containsAnyOf("srflx", "prflx");
        }
    }
}
