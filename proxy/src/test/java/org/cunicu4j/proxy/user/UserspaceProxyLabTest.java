package org.cunicu4j.proxy.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.gather.InterfaceFilter;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.IceLink;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.stun.url.TurnUrl;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.control.WireGuardControls;
import org.junit.jupiter.api.Test;

/**
 * UserspaceProxy with two wireguard-go devices in two namespaces on one switch: peers
 * configured without endpoints, ICE agents on the proxies' own sockets in each namespace,
 * and once a pair is selected each WireGuard peer points at the proxy's loopback socket and
 * {@code ping} goes through the tunnel both ways: over a host pair, and over a relay pair
 * through coturn (relay candidates only).
 */
@RequiresRoot
@RequiresTools({"ip", "ping", "wg", "wireguard-go"})
class UserspaceProxyLabTest {
    private static final String TURN_IP = "10.0.0.10";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int PORT = 51820;
    private static final Pattern ENDPOINT = Pattern.compile("endpoint: (\\S+)");

    @Test
    void wireguardGoPeersPingThroughTheLoopbackProxies() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            pingThroughProxies(lab, lan, GatherSettings.hostOnly(), CandidateType.HOST);
        }
    }

    @Test
    @RequiresTools("turnserver")
    void aRelayPairCarriesTheTunnelThroughTheLoopbackProxies() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host turn = lab.host("turn");
            lab.attach(turn, lan.lan(), TURN_IP + "/24");
            Coturn.builder(turn).listen(TURN_IP).user("ice", "pw").start();
            GatherSettings relayOnly = new GatherSettings(List.of(),
                    List.of(TurnUrl.parse("turn:" + TURN_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp")), "ice", "pw",
                    InterfaceFilter.DEFAULT, Set.of(CandidateType.RELAY), true, false);
            pingThroughProxies(lab, lan, relayOnly, CandidateType.RELAY);
        }
    }

    private static void pingThroughProxies(Lab lab, OneLan lan, GatherSettings settings, CandidateType localType) throws Exception {
        Host alice = lan.alice();
        Host bob = lan.bob();
        Key keyA = Key.generatePrivate();
        Key keyB = Key.generatePrivate();
        WireguardGo wgA = WireguardGo.start(alice);
        WireguardGo wgB = WireguardGo.start(bob);
        configure(lab, wgA, keyA, keyB, "10.10.0.1", "10.10.0.2");
        configure(lab, wgB, keyB, keyA, "10.10.0.2", "10.10.0.1");

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
                UserspaceProxy proxyA = NetNs.call(alice.netns(), () -> UserspaceProxy.open(controlA, PORT));
                UserspaceProxy proxyB = NetNs.call(bob.netns(), () -> UserspaceProxy.open(controlB, PORT));
                IceLink link = IceLink.start(IceLink.fastConfig(settings).build(), settings,
                        proxyA, keyB.publicKey(), inAlice, proxyB, keyA.publicKey(), inBob)) {
            link.awaitConnected(WAIT);
            if (localType == CandidateType.RELAY) {
                assertThat(link.pairA().local().type()).isEqualTo(CandidateType.RELAY);
                assertThat(link.pairB().local().type()).isEqualTo(CandidateType.RELAY);
            } else {
                assertThat(link.pairA().local().type()).isIn(CandidateType.HOST, CandidateType.PEER_REFLEXIVE);
                assertThat(link.pairA().local().address().getPort()).as("ICE on the proxy's own port, not WireGuard's")
                        .isNotEqualTo(PORT).isEqualTo(proxyA.iceAddresses().getFirst().getPort());
            }
            UserspacePeerProxy pa = (UserspacePeerProxy) link.proxyA;
            UserspacePeerProxy pb = (UserspacePeerProxy) link.proxyB;
            Waiter.until("alice's WireGuard peer points at the loopback proxy " + pa.loopbackAddress(), WAIT,
                    () -> endpoint(wgA).equals("127.0.0.1:" + pa.loopbackAddress().getPort()));
            Waiter.until("bob's WireGuard peer points at the loopback proxy " + pb.loopbackAddress(), WAIT,
                    () -> endpoint(wgB).equals("127.0.0.1:" + pb.loopbackAddress().getPort()));

            Waiter.until("alice pings bob through the tunnel", WAIT,
                    () -> alice.exec("ping", "-c", "1", "-W", "1", "10.10.0.2").ok());
            assertThat(bob.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.10.0.1").ok())
                    .as("bob pings alice through the tunnel").isTrue();
            assertThat(link.proxyA.mode()).isEqualTo(ProxyMode.USER);
            assertThat(link.proxyA.reason()).isEqualTo(UserspaceProxy.REASON);
            assertThat(link.proxyA.stats().txPackets()).isPositive();
            assertThat(link.proxyA.stats().rxPackets()).isPositive();
            assertThat(link.proxyB.stats().txPackets()).isPositive();
            assertThat(link.proxyB.stats().rxPackets()).isPositive();
            assertThat(link.errors).isEmpty();
        }
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
