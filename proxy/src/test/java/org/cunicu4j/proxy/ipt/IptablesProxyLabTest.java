package org.cunicu4j.proxy.ipt;

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
 * IptablesProxy on both sides of two wireguard-go devices, peers configured without
 * endpoints, ICE on the proxies' own sockets: once a pair is selected each WireGuard peer
 * points at the remote candidate and the kernel carries the tunnel ({@code ping} both ways),
 * through two NATs (server-reflexive pairs), over IPv6 (host pairs), and over a relay pair
 * (the user-space fallback, with its reason). While connected {@code iptables-save} shows the
 * chains and the pair's rule; after close nothing of them is left.
 */
@RequiresRoot
@RequiresTools({"ip", "ping", "wg", "wireguard-go", "iptables-save", "iptables-restore", "ip6tables-save", "ip6tables-restore"})
class IptablesProxyLabTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int PORT = 51820;
    private static final Pattern ENDPOINT = Pattern.compile("endpoint: (\\S+)");
    private static final String TURN_IP = "10.0.0.10";

    @Test
    @RequiresTools("turnserver")
    void wireguardGoPeersBehindNatsPingThroughTheKernelPath() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn.builder(t.server()).listen(Topology.SERVER_IP).user("ice", "pw").start();
            GatherSettings settings = new GatherSettings(
                    List.of(StunUrl.parse("stun:" + Topology.SERVER_IP + ":" + Coturn.DEFAULT_PORT)), List.of(), null, null,
                    InterfaceFilter.DEFAULT, Set.of(CandidateType.HOST, CandidateType.SERVER_REFLEXIVE, CandidateType.PEER_REFLEXIVE),
                    true, false);
            Connected c = connect(lab, t.alice(), t.bob(), settings, "10.10.0.");
            try {
                IceCandidatePair pa = c.link.pairA();
                assertThat(pa.remote().address().getAddress().getHostAddress()).as("bob's NAT").isEqualTo(Topology.NAT_B_OUTSIDE_IP);
                assertThat(c.link.pairB().remote().address().getAddress().getHostAddress()).isEqualTo(Topology.NAT_A_OUTSIDE_IP);
                assertKernelPath(c, "iptables-save", "10.10.0.");
            } finally {
                c.close();
            }
            assertNothingLeft(c, "iptables-save");
            assertNothingLeft(c, "ip6tables-save");
        }
    }

    @Test
    void wireguardGoPeersOnAnIpv6LanPingThroughTheKernelPath() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLanIpv6(lab);
            GatherSettings v6 = GatherSettings.hostOnly().withFamilies(false, true);
            Connected c = connect(lab, lan.alice(), lan.bob(), v6, "10.10.0.");
            try {
                assertThat(c.link.pairA().remote().address().getAddress().getHostAddress()).isEqualTo("fd00:c4:0:0:0:0:0:3");
                assertKernelPath(c, "ip6tables-save", "10.10.0.");
            } finally {
                c.close();
            }
            assertNothingLeft(c, "ip6tables-save");
            assertNothingLeft(c, "iptables-save");
        }
    }

    @Test
    @RequiresTools("turnserver")
    void aRelayPairFallsBackToTheUserspaceCopyWithTheReason() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host turn = lab.host("turn");
            lab.attach(turn, lan.lan(), TURN_IP + "/24");
            Coturn.builder(turn).listen(TURN_IP).user("ice", "pw").start();
            GatherSettings relayOnly = new GatherSettings(List.of(),
                    List.of(TurnUrl.parse("turn:" + TURN_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp")), "ice", "pw",
                    InterfaceFilter.DEFAULT, Set.of(CandidateType.RELAY), true, false);
            Connected c = connect(lab, lan.alice(), lan.bob(), relayOnly, "10.10.0.");
            try {
                assertThat(c.link.pairA().local().type()).isEqualTo(CandidateType.RELAY);
                Waiter.until("alice's peer falls back", WAIT, () -> c.link.proxyA.mode() == ProxyMode.USER);
                assertThat(c.link.proxyA.reason()).isEqualTo(RelayFallback.REASON);
                assertThat(c.proxyA.mode()).as("the interface's mode stays").isEqualTo(ProxyMode.IPTABLES);
                Waiter.until("alice's WireGuard peer points at the loopback", WAIT, () -> endpoint(c.wgA).startsWith("127.0.0.1:"));
                Waiter.until("alice pings bob through the relay", WAIT,
                        () -> c.alice.exec("ping", "-c", "1", "-W", "1", "10.10.0.2").ok());
                assertThat(c.bob.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.10.0.1").ok()).as("bob pings alice").isTrue();
                assertThat(c.link.proxyA.stats().txPackets()).as("the fallback copies").isPositive();
                assertThat(IptablesRules.rules(c.alice.run("iptables-save").stdout(), "nat", IptablesRules.natPost(c.proxyA.interfaceName())))
                        .as("no per-pair rule for a relay pair").isEmpty();
                assertThat(c.link.errors).isEmpty();
            } finally {
                c.close();
            }
            assertNothingLeft(c, "iptables-save");
        }
    }

    /** Both devices, both proxies, the ICE link; connected, with a selected pair on each side. */
    private record Connected(Host alice, Host bob, WireguardGo wgA, WireguardGo wgB, WireGuardControl controlA,
            WireGuardControl controlB, IptablesProxy proxyA, IptablesProxy proxyB, IceLink link) {
        void close() throws Exception {
            link.close();
            proxyA.close();
            proxyB.close();
            controlA.close();
            controlB.close();
        }
    }

    private static Connected connect(Lab lab, Host alice, Host bob, GatherSettings settings, String tunnel) throws Exception {
        Key keyA = Key.generatePrivate();
        Key keyB = Key.generatePrivate();
        WireguardGo wgA = WireguardGo.start(alice);
        WireguardGo wgB = WireguardGo.start(bob);
        configure(lab, wgA, keyA, keyB, tunnel + "1", tunnel + "2");
        configure(lab, wgB, keyB, keyA, tunnel + "2", tunnel + "1");
        WireGuardControl controlA = WireGuardControls.open(wgA.interfaceName());
        WireGuardControl controlB = WireGuardControls.open(wgB.interfaceName());
        IptablesProxy proxyA = NetNs.call(alice.netns(), () -> IptablesProxy.open(controlA, PORT));
        IptablesProxy proxyB = NetNs.call(bob.netns(), () -> IptablesProxy.open(controlB, PORT));
        IceLink link = IceLink.start(IceLink.fastConfig(settings).build(), settings,
                proxyA, keyB.publicKey(), step -> NetNs.call(alice.netns(), () -> {
                    step.run();
                    return null;
                }),
                proxyB, keyA.publicKey(), step -> NetNs.call(bob.netns(), () -> {
                    step.run();
                    return null;
                }));
        Connected c = new Connected(alice, bob, wgA, wgB, controlA, controlB, proxyA, proxyB, link);
        try {
            link.awaitConnected(WAIT);
        } catch (AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Endpoints at the remote candidates, ping both ways, the rules in place, nothing copied in user space. */
    private static void assertKernelPath(Connected c, String save, String tunnel) {
        IceCandidatePair pa = c.link.pairA();
        IceCandidatePair pb = c.link.pairB();
        assertThat(pa.local().type()).isNotEqualTo(CandidateType.RELAY);
        assertThat(pa.local().address().getPort()).as("ICE on the proxy's own port, not WireGuard's").isNotEqualTo(PORT);
        Waiter.until("alice's WireGuard peer points at " + pa.remote().address(), WAIT,
                () -> endpoint(c.wgA).equals(endpointText(pa)));
        Waiter.until("bob's WireGuard peer points at " + pb.remote().address(), WAIT,
                () -> endpoint(c.wgB).equals(endpointText(pb)));
        Waiter.until("alice pings bob through the tunnel", WAIT,
                () -> c.alice.exec("ping", "-c", "1", "-W", "1", tunnel + "2").ok());
        assertThat(c.bob.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", tunnel + "1").ok()).as("bob pings alice").isTrue();
        // WireGuard roams to where authenticated packets come from: had they arrived from the
        // remote's WireGuard port instead of its ICE port (no SNAT there), the endpoint would have moved
        assertThat(endpoints(c.wgA)).as("alice's endpoint after the pings").isEqualTo(endpointText(pa));
        assertThat(endpoints(c.wgB)).as("bob's endpoint after the pings").isEqualTo(endpointText(pb));
        assertThat(c.link.proxyA.mode()).isEqualTo(ProxyMode.IPTABLES);
        assertThat(c.link.proxyA.reason()).isEqualTo(c.proxyA.reason()).contains("iptables (");
        assertThat(c.link.proxyA.stats().txPackets()).as("the kernel carries the tunnel: nothing copied").isZero();
        assertThat(c.link.proxyB.stats().rxPackets()).isZero();
        for (var side : List.of(new Object[] {c.alice, c.proxyA, pa}, new Object[] {c.bob, c.proxyB, pb})) {
            Host h = (Host) side[0];
            IptablesProxy proxy = (IptablesProxy) side[1];
            IceCandidatePair pair = (IceCandidatePair) side[2];
            String iface = proxy.interfaceName();
            String text = h.run(save).stdout();
            int ice = proxy.icePort(pair.remote().address().getAddress());
            assertThat(IptablesRules.rules(text, "raw", "PREROUTING")).anyMatch(l -> l.endsWith("-j " + IptablesRules.rawPre(iface)));
            assertThat(IptablesRules.rules(text, "raw", IptablesRules.rawPre(iface))).singleElement().asString()
                    .contains("--dport " + ice).contains("-m u32 --u32").endsWith("-j CT --notrack");
            assertThat(IptablesRules.rules(text, "nat", IptablesRules.natPre(iface))).singleElement().asString()
                    .contains("--dport " + ice).contains("-m u32 ! --u32").endsWith("-j REDIRECT --to-ports " + PORT);
            assertThat(IptablesRules.rules(text, "nat", IptablesRules.natPost(iface))).singleElement().asString()
                    .contains("-d " + compress(IptablesRules.hostAddress(pair.remote().address().getAddress())) + "/")
                    .contains("--sport " + PORT + " --dport " + pair.remote().address().getPort())
                    .endsWith("-j SNAT --to-source :" + ice);
        }
        assertThat(c.link.errors).isEmpty();
    }

    private static void assertNothingLeft(Connected c, String save) {
        assertThat(IptablesRules.linesOf(c.alice.run(save).stdout(), c.proxyA.interfaceName())).as(save + " in alice after close").isEmpty();
        assertThat(IptablesRules.linesOf(c.bob.run(save).stdout(), c.proxyB.interfaceName())).as(save + " in bob after close").isEmpty();
    }

    private static String endpointText(IceCandidatePair pair) {
        var a = pair.remote().address();
        String host = IptablesRules.hostAddress(a.getAddress());
        return (a.getAddress() instanceof java.net.Inet6Address ? "[" + compress(host) + "]" : host) + ":" + a.getPort();
    }

    /** fd00:c4:0:0:0:0:0:3 → fd00:c4::3, as wg shows it. */
    private static String compress(String v6) {
        return v6.replaceFirst("(^|:)(0(:0)+)(:|$)", "::").replace(":::", "::");
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

    /** The one peer's endpoint as {@code wg show <if> endpoints} prints it (after the key and a tab). */
    private static String endpoints(WireguardGo wg) {
        String out = wg.wg("show", wg.interfaceName(), "endpoints").orThrow().stdout().strip();
        String[] fields = out.split("\t");
        return fields.length == 2 ? fields[1] : out;
    }

    private static String endpoint(WireguardGo wg) {
        Matcher m = ENDPOINT.matcher(wg.wg("show", wg.interfaceName()).stdout());
        return m.find() ? m.group(1) : "";
    }
}
