package org.cunicu4j.proxy.raw;

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
import org.cunicu4j.ice.Candidate;
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
import org.cunicu4j.testlab.NatRouter;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
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
 * The raw mode on both sides with wireguard-go devices configured without endpoints: ICE
 * runs on WireGuard's own port through the raw sockets, and the selected pair becomes
 * WireGuard's endpoint. Behind two endpoint-independent NATs, the server-reflexive
 * candidates learnt by STUN sent from WireGuard's port are WireGuard's own NAT mappings
 * (WireGuard's traffic arrives from exactly the remote candidate ICE chose, so no roaming
 * moves the endpoint), and ping goes through the tunnel both ways while STUN keeps
 * arriving at the same port. With relay candidates only, the peer falls back to the
 * user-space proxy with the reason.
 */
@RequiresRoot
@RequiresTools({"ip", "ping", "wg", "wireguard-go", "nft", "turnserver"})
class RawSocketProxyLabTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int PORT = 51820;
    private static final Pattern ENDPOINT = Pattern.compile("endpoint: (\\S+)");

    @Test
    void wireguardGoPeersBehindNatsPingThroughThePairIceFoundOnTheWireGuardPort() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            for (NatRouter nat : List.of(t.natA(), t.natB())) {
                dropUnsolicited(nat);
            }
            Coturn coturn = Coturn.start(t.server(), Topology.SERVER_IP, Coturn.DEFAULT_PORT, "lab", "u", "p");
            GatherSettings settings = new GatherSettings(
                    List.of(StunUrl.parse("stun:" + coturn.ip() + ":" + coturn.port())), List.of(), null, null,
                    InterfaceFilter.DEFAULT,
                    Set.of(CandidateType.HOST, CandidateType.SERVER_REFLEXIVE, CandidateType.PEER_REFLEXIVE), true, false);
            try (Devices d = Devices.start(lab, t.alice(), t.bob());
                    RawSocketProxy proxyA = NetNs.call(t.alice().netns(), () -> RawSocketProxy.open(d.controlA, PORT));
                    RawSocketProxy proxyB = NetNs.call(t.bob().netns(), () -> RawSocketProxy.open(d.controlB, PORT));
                    IceLink link = IceLink.start(IceLink.fastConfig(settings).build(), settings,
                            proxyA, d.keyB.publicKey(), in(t.alice()), proxyB, d.keyA.publicKey(), in(t.bob()))) {
                link.awaitConnected(WAIT);
                IceCandidatePair pairA = link.pairA();
                IceCandidatePair pairB = link.pairB();
                for (IceCandidatePair pair : List.of(pairA, pairB)) {
                    assertThat(pair.local().type()).as(link.describe())
                            .isIn(CandidateType.SERVER_REFLEXIVE, CandidateType.PEER_REFLEXIVE);
                    assertThat(pair.local().relatedAddress().getPort()).as("the local base is WireGuard's port")
                            .isEqualTo(PORT);
                }
                Candidate srflxA = link.a.localCandidates().stream()
                        .filter(c -> c.type() == CandidateType.SERVER_REFLEXIVE).findFirst().orElseThrow();
                assertThat(srflxA.address().getAddress().getHostAddress()).isEqualTo(Topology.NAT_A_OUTSIDE_IP);
                assertThat(srflxA.relatedAddress().getPort()).as("srflx learnt from WireGuard's port").isEqualTo(PORT);

                Waiter.until("alice's WireGuard peer points at " + pairA.remote().address(), WAIT,
                        () -> endpoint(d.wgA).equals(text(pairA.remote().address())));
                Waiter.until("bob's WireGuard peer points at " + pairB.remote().address(), WAIT,
                        () -> endpoint(d.wgB).equals(text(pairB.remote().address())));

                Waiter.until("alice pings bob through the tunnel", WAIT,
                        () -> t.alice().exec("ping", "-c", "1", "-W", "1", "10.10.0.2").ok());
                assertThat(t.bob().exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.10.0.1").ok())
                        .as("bob pings alice through the tunnel").isTrue();
                // WireGuard roams to the source of what it authenticates: still the ICE remote, so the
                // NAT mapping ICE found from WireGuard's port is the one WireGuard's packets use
                assertThat(endpoint(d.wgA)).isEqualTo(text(pairA.remote().address()));
                assertThat(endpoint(d.wgB)).isEqualTo(text(pairB.remote().address()));
                assertThat(endpoint(d.wgB)).isEqualTo(text(srflxA.address()));

                for (var p : List.of(link.proxyA, link.proxyB)) {
                    assertThat(p.mode()).isEqualTo(ProxyMode.RAW);
                    assertThat(p.reason()).isEqualTo(RawSocketProxy.REASON);
                    assertThat(p.stats().txPackets() + p.stats().rxPackets()).as("the kernel carries the data").isZero();
                }
                for (RawSocketProxy p : List.of(proxyA, proxyB)) {
                    RawConnStats s = p.connStats().getFirst();
                    assertThat(s.delivered()).as("STUN reached ICE through the raw socket").isPositive();
                    assertThat(s.receiveDrops()).as(s.toString()).isZero();
                }
                assertThat(link.errors).isEmpty();
            }
        }
    }

    @Test
    void overAnIpv6OnlyLanTheHostPairOnTheWireGuardPortCarriesTheTunnel() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLanIpv6(lab);
            GatherSettings v6 = GatherSettings.hostOnly().withFamilies(false, true);
            try (Devices d = Devices.start(lab, lan.alice(), lan.bob());
                    RawSocketProxy proxyA = NetNs.call(lan.alice().netns(), () -> RawSocketProxy.open(d.controlA, PORT));
                    RawSocketProxy proxyB = NetNs.call(lan.bob().netns(), () -> RawSocketProxy.open(d.controlB, PORT));
                    IceLink link = IceLink.start(IceLink.fastConfig(v6).build(), v6,
                            proxyA, d.keyB.publicKey(), in(lan.alice()), proxyB, d.keyA.publicKey(), in(lan.bob()))) {
                link.awaitConnected(WAIT);
                IceCandidatePair pairA = link.pairA();
                assertThat(pairA.local().type()).isEqualTo(CandidateType.HOST);
                assertThat(pairA.local().address()).isEqualTo(new InetSocketAddress(PeerTopologies.LAN6_ALICE_IP, PORT));
                assertThat(pairA.remote().address()).isEqualTo(new InetSocketAddress(PeerTopologies.LAN6_BOB_IP, PORT));
                Waiter.until("alice's WireGuard peer points at bob's WireGuard port", WAIT,
                        () -> pairA.remote().address().equals(endpointAddress(d.wgA)));
                Waiter.until("alice pings bob through the tunnel", WAIT,
                        () -> lan.alice().exec("ping", "-c", "1", "-W", "1", "10.10.0.2").ok());
                assertThat(lan.bob().exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.10.0.1").ok()).isTrue();
                assertThat(link.proxyB.mode()).isEqualTo(ProxyMode.RAW);
                RawConnStats s = proxyA.connStats().getLast();
                assertThat(s.delivered()).as("STUN over IPv6 reached ICE: " + s).isPositive();
                assertThat(s.receiveDrops()).as(s.toString()).isZero();
                assertThat(link.errors).isEmpty();
            }
        }
    }

    @Test
    void aRelayPairFallsBackToTheUserspaceProxyWithTheReason() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host turn = lab.host("turn");
            String turnIp = "10.0.0.10";
            lab.attach(turn, lan.lan(), turnIp + "/24");
            Coturn.builder(turn).listen(turnIp).user("ice", "pw").start();
            GatherSettings relayOnly = new GatherSettings(List.of(),
                    List.of(TurnUrl.parse("turn:" + turnIp + ":" + Coturn.DEFAULT_PORT + "?transport=udp")), "ice", "pw",
                    InterfaceFilter.DEFAULT, Set.of(CandidateType.RELAY), true, false);
            try (Devices d = Devices.start(lab, lan.alice(), lan.bob());
                    RawSocketProxy proxyA = NetNs.call(lan.alice().netns(), () -> RawSocketProxy.open(d.controlA, PORT));
                    RawSocketProxy proxyB = NetNs.call(lan.bob().netns(), () -> RawSocketProxy.open(d.controlB, PORT));
                    IceLink link = IceLink.start(IceLink.fastConfig(relayOnly).build(), relayOnly,
                            proxyA, d.keyB.publicKey(), in(lan.alice()), proxyB, d.keyA.publicKey(), in(lan.bob()))) {
                link.awaitConnected(WAIT);
                assertThat(link.pairA().local().type()).isEqualTo(CandidateType.RELAY);
                Waiter.until("both peers fall back to the user-space proxy", WAIT,
                        () -> link.proxyA.mode() == ProxyMode.USER && link.proxyB.mode() == ProxyMode.USER);
                assertThat(link.proxyA.reason()).isEqualTo(RelayFallback.REASON);
                assertThat(link.proxyB.reason()).isEqualTo(RelayFallback.REASON);
                Waiter.until("alice's WireGuard peer points at a loopback proxy", WAIT,
                        () -> endpoint(d.wgA).startsWith("127.0.0.1:"));
                Waiter.until("alice pings bob through the relay", WAIT,
                        () -> lan.alice().exec("ping", "-c", "1", "-W", "1", "10.10.0.2").ok());
                assertThat(lan.bob().exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.10.0.1").ok()).isTrue();
                assertThat(link.proxyA.stats().txPackets()).as("the fallback copies").isPositive();
                assertThat(link.proxyA.stats().rxPackets()).isPositive();
                assertThat(proxyA.mode()).as("the interface stays in raw mode").isEqualTo(ProxyMode.RAW);
                assertThat(link.errors).isEmpty();
            }
        }
    }

    /** Two wireguard-go devices without endpoints, their tunnel addresses 10.10.0.1 and .2, and their controls. */
    private static final class Devices implements AutoCloseable {
        final Key keyA = Key.generatePrivate();
        final Key keyB = Key.generatePrivate();
        WireguardGo wgA;
        WireguardGo wgB;
        WireGuardControl controlA;
        WireGuardControl controlB;

        static Devices start(Lab lab, Host a, Host b) throws Exception {
            Devices d = new Devices();
            d.wgA = WireguardGo.start(a);
            d.wgB = WireguardGo.start(b);
            configure(lab, d.wgA, d.keyA, d.keyB, "10.10.0.1", "10.10.0.2");
            configure(lab, d.wgB, d.keyB, d.keyA, "10.10.0.2", "10.10.0.1");
            d.controlA = WireGuardControls.open(d.wgA.interfaceName());
            d.controlB = WireGuardControls.open(d.wgB.interfaceName());
            return d;
        }

        @Override
        public void close() throws java.io.IOException {
            controlA.close();
            controlB.close();
        }
    }

    private static IceLink.Runner in(Host h) {
        return step -> NetNs.call(h.netns(), () -> {
            step.run();
            return null;
        });
    }

    /** Drops unsolicited inbound packets before conntrack confirms them (as UdpMuxLabTest: keeps the NAT's port). */
    private static void dropUnsolicited(NatRouter nat) {
        nat.host().run("nft", "add table ip c4jfilter");
        nat.host().run("nft", "add chain ip c4jfilter input { type filter hook input priority filter; policy accept; }");
        nat.host().run("nft", "add rule ip c4jfilter input iifname " + nat.outsideInterface() + " ct state new drop");
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

    private static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** {@code wg show}'s endpoint ({@code [v6]:port} or {@code v4:port}), null when none. */
    private static InetSocketAddress endpointAddress(WireguardGo wg) {
        String e = endpoint(wg);
        int colon = e.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        String host = e.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(e.substring(colon + 1)));
    }

    private static String endpoint(WireguardGo wg) {
        Matcher m = ENDPOINT.matcher(wg.wg("show", wg.interfaceName()).stdout());
        return m.find() ? m.group(1) : "";
    }
}
