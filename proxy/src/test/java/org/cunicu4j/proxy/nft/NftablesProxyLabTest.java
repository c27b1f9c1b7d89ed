package org.cunicu4j.proxy.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.gather.InterfaceFilter;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.IceLink;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.TwoNats;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.control.WireGuardControls;
import org.junit.jupiter.api.Test;

/**
 * NftablesProxy on both sides of two wireguard-go devices behind the lab's two NATs (alice
 * and bob, coturn on the public server for STUN and TURN): peers configured without
 * endpoints, ICE on the proxies' own ports, and once a pair is selected each WireGuard peer
 * points at the remote candidate and {@code ping} goes through the tunnel both ways, the
 * packets rewritten by the kernel (UDP checksums included, or the receiver would drop them)
 * and copied by nobody; the rules are in the namespaces while connected and gone after close.
 * A relay pair (relay candidates only) falls back to the user-space path with the reason.
 */
@RequiresRoot
@RequiresTools({"ip", "ping", "wg", "wireguard-go", "nft", "turnserver"})
class NftablesProxyLabTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int PORT = 51820;
    private static final Pattern ENDPOINT = Pattern.compile("endpoint: (\\S+)");

    @Test
    void wireguardGoPeersBehindNatsPingThroughTheKernelRewrite() throws Exception {
        GatherSettings srflx = new GatherSettings(List.of(StunUrl.parse("stun:" + Topology.SERVER_IP + ":" + Coturn.DEFAULT_PORT)),
                List.of(), null, null, InterfaceFilter.DEFAULT,
                Set.of(CandidateType.HOST, CandidateType.SERVER_REFLEXIVE, CandidateType.PEER_REFLEXIVE), true, false);
        run(srflx, false);
    }

    @Test
    void aRelayPairFallsBackToTheUserSpacePathWithTheReason() throws Exception {
        GatherSettings relayOnly = new GatherSettings(List.of(),
                List.of(TurnUrl.parse("turn:" + Topology.SERVER_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp")), "ice", "pw",
                InterfaceFilter.DEFAULT, Set.of(CandidateType.RELAY), true, false);
        run(relayOnly, true);
    }

    private static void run(GatherSettings settings, boolean relay) throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn.builder(t.server()).listen(Topology.SERVER_IP).user("ice", "pw").start();
            Host alice = t.alice();
            Host bob = t.bob();
            Key keyA = Key.generatePrivate();
            Key keyB = Key.generatePrivate();
            WireguardGo wgA = WireguardGo.start(alice);
            WireguardGo wgB = WireguardGo.start(bob);
            configure(lab, wgA, keyA, keyB, "10.10.0.1", "10.10.0.2");
            configure(lab, wgB, keyB, keyA, "10.10.0.2", "10.10.0.1");
            String tableA = NftablesProxy.tableName(wgA.interfaceName());
            String tableB = NftablesProxy.tableName(wgB.interfaceName());

            IceLink.Runner inAlice = step -> NetNs.call(alice.netns(), () -> {
                step.run();
                return null;
            });
            IceLink.Runner inBob = step -> NetNs.call(bob.netns(), () -> {
                step.run();
                return null;
            });
            try (WireGuardControl controlA = WireGuardControls.open(wgA.interfaceName());
                    WireGuardControl controlB = WireGuardControls.open(wgB.interfaceName());
                    NftablesProxy proxyA = NetNs.call(alice.netns(), () -> NftablesProxy.open(controlA, PORT));
                    NftablesProxy proxyB = NetNs.call(bob.netns(), () -> NftablesProxy.open(controlB, PORT));
                    IceLink link = IceLink.start(IceLink.fastConfig(settings).build(), settings,
                            proxyA, keyB.publicKey(), inAlice, proxyB, keyA.publicKey(), inBob)) {
                link.awaitConnected(WAIT);
                IceCandidatePair pairA = link.pairA();
                IceCandidatePair pairB = link.pairB();
                if (relay) {
                    assertThat(pairA.local().type()).isEqualTo(CandidateType.RELAY);
                    assertThat(pairB.local().type()).isEqualTo(CandidateType.RELAY);
                    Waiter.until("alice's WireGuard peer points at the fallback's loopback socket", WAIT,
                            () -> endpoint(wgA).startsWith("127.0.0.1:"));
                    Waiter.until("bob's WireGuard peer points at the fallback's loopback socket", WAIT,
                            () -> endpoint(wgB).startsWith("127.0.0.1:"));
                } else {
                    assertThat(pairA.remote().address().getAddress().getHostAddress()).as("bob as seen through his NAT")
                            .isEqualTo(Topology.NAT_B_OUTSIDE_IP);
                    Waiter.until("alice's WireGuard peer points at bob's candidate " + pairA.remote().address(), WAIT,
                            () -> endpoint(wgA).equals(hostPort(pairA.remote().address())));
                    Waiter.until("bob's WireGuard peer points at alice's candidate " + pairB.remote().address(), WAIT,
                            () -> endpoint(wgB).equals(hostPort(pairB.remote().address())));
                }

                Waiter.until("alice pings bob through the tunnel", WAIT,
                        () -> alice.exec("ping", "-c", "1", "-W", "1", "10.10.0.2").ok());
                assertThat(bob.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.10.0.1").ok())
                        .as("bob pings alice through the tunnel").isTrue();
                assertThat(link.errors).isEmpty();

                int iceA = proxyA.iceAddresses().stream().filter(a -> a.getAddress() instanceof java.net.Inet4Address)
                        .findFirst().orElseThrow().getPort();
                NftListing l = NftListing.of(alice);
                assertThat(l.tablesNamed(tableA)).as(l.text()).isEqualTo(1);
                List<NftListing.Rule> in = l.rulesOf(tableA, "input");
                assertThat(in).as("one input rule per ICE port (family): " + l.text()).hasSize(proxyA.iceAddresses().size());
                assertThat(in).anySatisfy(r -> {
                    assertThat(r.match("udp", "dport")).isEqualTo((long) iceA);
                    assertThat(r.rewrite("dport")).isEqualTo((long) PORT);
                    assertThat(r.skipsStun()).isTrue();
                });
                List<NftListing.Rule> out = l.rulesOf(tableA, "output");
                if (relay) {
                    assertThat(out).as("a relay pair has no kernel rule: " + l.text()).isEmpty();
                    assertThat(link.proxyA.mode()).isEqualTo(ProxyMode.USER);
                    assertThat(link.proxyA.reason()).isEqualTo(RelayFallback.REASON);
                    assertThat(link.proxyB.mode()).isEqualTo(ProxyMode.USER);
                    assertThat(link.proxyA.stats().txPackets()).as("the fallback copies").isPositive();
                    assertThat(link.proxyA.stats().rxPackets()).isPositive();
                } else {
                    assertThat(out).as(l.text()).hasSize(1);
                    NftListing.Rule r = out.getFirst();
                    assertThat(r.match("ip", "daddr")).isEqualTo(pairA.remote().address().getAddress().getHostAddress());
                    assertThat(r.match("udp", "dport")).isEqualTo((long) pairA.remote().address().getPort());
                    assertThat(r.match("udp", "sport")).isEqualTo((long) PORT);
                    assertThat(r.rewrite("sport")).isEqualTo((long) iceA);
                    assertThat(NftListing.of(bob).rulesOf(tableB, "output")).hasSize(1);
                    assertThat(link.proxyA.mode()).isEqualTo(ProxyMode.NFTABLES);
                    assertThat(link.proxyA.reason()).isEqualTo(NftablesProxy.REASON);
                    assertThat(link.proxyA.stats().txPackets()).as("the kernel carried the tunnel, nobody copied").isZero();
                    assertThat(link.proxyB.stats().rxPackets()).isZero();
                }
            }
            assertThat(NftListing.of(alice).tablesNamed(tableA)).as("alice's table is gone after close").isZero();
            assertThat(NftListing.of(bob).tablesNamed(tableB)).as("bob's table is gone after close").isZero();
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static void configure(Lab lab, WireguardGo wg, Key self, Key peer, String ip, String peerIp) throws Exception {
        Path keyFile = lab.workDir().resolve(wg.interfaceName() + ".key");
        Files.writeString(keyFile, self.toBase64() + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        wg.wg("set", wg.interfaceName(), "private-key", keyFile.toString(), "listen-port", Integer.toString(PORT),
                "peer", peer.publicKey().toBase64(), "allowed-ips", peerIp + "/32").orThrow();
        Host h = wg.host();
        h.run("ip", "addr", "add", ip + "/24", "dev", wg.interfaceName());
        h.run("ip", "link", "set", wg.interfaceName(), "mtu", "1420", "up");
    }

    private static String endpoint(WireguardGo wg) {
        Matcher m = ENDPOINT.matcher(wg.wg("show", wg.interfaceName()).stdout());
        return m.find() ? m.group(1) : "";
    }
}
