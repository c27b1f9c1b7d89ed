package org.cunicu4j.proxy.bind;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Set;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.gather.InterfaceFilter;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.IceLink;
import org.cunicu4j.proxy.IpPackets;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.stun.client.BindingResult;
import org.cunicu4j.stun.url.TurnUrl;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/**
 * BindProxy's relay path: two of our devices in two namespaces on one LAN with coturn beside
 * them and relay candidates only, so the pair is relay–relay and WireGuard's data goes
 * through each side's {@link RelayEndpoint} (the agent's connection over its TURN
 * allocation) and back in through the Bind's relay receive function. On the way, a STUN
 * Binding request from WireGuard's own port (the mux's server-reflexive discovery) is
 * answered through the Bind. And the mixed case: A gathers relay candidates only, B host
 * ones only, so A sends through its RelayEndpoint while B's WireGuard sends straight from
 * its own socket to A's relayed address.
 */
@RequiresRoot
@RequiresTools({"ip", "turnserver"})
class BindProxyRelayLabTest {
    private static final String TURN_IP = "10.0.0.10";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void relayPairCarriesTheTunnelThroughTheBindsRelayEndpoints() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host turn = lab.host("turn");
            lab.attach(turn, lan.lan(), TURN_IP + "/24");
            Coturn.builder(turn).listen(TURN_IP).user("ice", "pw").start();
            GatherSettings relayOnly = new GatherSettings(List.of(),
                    List.of(TurnUrl.parse("turn:" + TURN_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp")), "ice", "pw",
                    InterfaceFilter.DEFAULT, Set.of(CandidateType.RELAY), true, false);
            Host alice = lan.alice();
            Host bob = lan.bob();
            OurNode na = NetNs.call(alice.netns(), () -> new OurNode("pxra"));
            try (na; OurNode nb = NetNs.call(bob.netns(), () -> new OurNode("pxrb"))) {
                na.addPeer(nb.pub, "10.9.0.2/32");
                nb.addPeer(na.pub, "10.9.0.1/32");
                // STUN on WireGuard's own socket: the server's answer comes back through the Bind's pump to the mux
                BindingResult seen = na.proxy.mux(StandardProtocolFamily.INET)
                        .mappedAddress(new InetSocketAddress(TURN_IP, Coturn.DEFAULT_PORT)).get(10, TimeUnit.SECONDS);
                assertThat(seen.mappedAddress()).isEqualTo(new InetSocketAddress(alice.ip(), na.device.listenPort()));
                IceLink.Runner inAlice = step -> NetNs.call(alice.netns(), () -> {
                    step.run();
                    return null;
                });
                IceLink.Runner inBob = step -> NetNs.call(bob.netns(), () -> {
                    step.run();
                    return null;
                });
                try (IceLink link = IceLink.start(IceLink.fastConfig(relayOnly).build(), relayOnly,
                        na.proxy, nb.pub, inAlice, nb.proxy, na.pub, inBob)) {
                    link.awaitConnected(WAIT);
                    IceCandidatePair pa = link.pairA();
                    assertThat(pa.local().type()).isEqualTo(CandidateType.RELAY);
                    assertThat(link.pairB().local().type()).isEqualTo(CandidateType.RELAY);
                    Waiter.until("A's WireGuard peer goes through a relayed endpoint", WAIT,
                            () -> na.bind.relays() == 1 && pa.remote().address().equals(na.endpointOf(nb.pub)));
                    Waiter.until("B's WireGuard peer goes through a relayed endpoint", WAIT,
                            () -> nb.bind.relays() == 1 && link.pairB().remote().address().equals(nb.endpointOf(na.pub)));
                    assertThat(((BindPeerProxy) link.proxyA).endpoint()).isInstanceOf(RelayEndpoint.class);
                    assertThat(((BindPeerProxy) link.proxyB).endpoint()).isInstanceOf(RelayEndpoint.class);
                    assertThat(link.proxyA.mode()).isEqualTo(ProxyMode.BIND);
                    assertThat(link.proxyA.reason()).isEqualTo(BindProxy.RELAY_REASON);

                    pingPong(na, nb, 20);
                    // handshake and 20 packets each way went through the relay endpoints, none around them
                    assertThat(link.proxyA.stats().txPackets()).isGreaterThanOrEqualTo(21);
                    assertThat(link.proxyA.stats().rxPackets()).isGreaterThanOrEqualTo(21);
                    assertThat(link.proxyB.stats().txPackets()).isGreaterThanOrEqualTo(21);
                    assertThat(link.proxyB.stats().rxPackets()).isGreaterThanOrEqualTo(21);
                    assertThat(na.bind.counters().received()).as("nothing arrived on WireGuard's socket itself").isZero();
                    assertThat(na.bind.counters().sent()).as("nothing left from WireGuard's socket itself").isZero();
                    assertThat(link.errors).isEmpty();
                }
                assertThat(na.bind.relays()).as("closing the peer proxy closed its relayed endpoint").isZero();
            }
        }
    }

    @Test
    void relayOnOneSideHostOnTheOtherCarriesTheTunnel() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host turn = lab.host("turn");
            lab.attach(turn, lan.lan(), TURN_IP + "/24");
            Coturn.builder(turn).listen(TURN_IP).user("ice", "pw").start();
            GatherSettings relayOnly = new GatherSettings(List.of(),
                    List.of(TurnUrl.parse("turn:" + TURN_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp")), "ice", "pw",
                    InterfaceFilter.DEFAULT, Set.of(CandidateType.RELAY), true, false);
            GatherSettings hostOnly = new GatherSettings(List.of(), List.of(), null, null, InterfaceFilter.DEFAULT,
                    Set.of(CandidateType.HOST, CandidateType.PEER_REFLEXIVE), true, false);
            Host alice = lan.alice();
            Host bob = lan.bob();
            OurNode na = NetNs.call(alice.netns(), () -> new OurNode("pxma"));
            try (na; OurNode nb = NetNs.call(bob.netns(), () -> new OurNode("pxmb"))) {
                na.addPeer(nb.pub, "10.9.0.2/32");
                nb.addPeer(na.pub, "10.9.0.1/32");
                try (IceLink link = IceLink.start(IceLink.fastConfig(relayOnly).build(), relayOnly, na.proxy, nb.pub, inside(alice),
                        IceLink.fastConfig(hostOnly).build(), hostOnly, nb.proxy, na.pub, inside(bob))) {
                    link.awaitConnected(WAIT);
                    IceCandidatePair pa = link.pairA();
                    IceCandidatePair pb = link.pairB();
                    assertThat(pa.local().type()).as(link.describe()).isEqualTo(CandidateType.RELAY);
                    assertThat(pb.remote().type()).as(link.describe()).isEqualTo(CandidateType.RELAY);
                    assertThat(pb.local().type()).as(link.describe()).isEqualTo(CandidateType.HOST);
                    Waiter.until("A's WireGuard peer goes through a relayed endpoint", WAIT,
                            () -> na.bind.relays() == 1 && pa.remote().address().equals(na.endpointOf(nb.pub)));
                    Waiter.until("B's WireGuard peer points at A's relayed address", WAIT,
                            () -> pb.remote().address().equals(nb.endpointOf(na.pub)));
                    assertThat(((BindPeerProxy) link.proxyA).endpoint()).isInstanceOf(RelayEndpoint.class);
                    assertThat(((BindPeerProxy) link.proxyB).endpoint()).isNotInstanceOf(RelayEndpoint.class);
                    assertThat(nb.bind.relays()).isZero();
                    assertThat(link.proxyA.reason()).isEqualTo(BindProxy.RELAY_REASON);
                    assertThat(link.proxyB.reason()).isEqualTo(BindProxy.REASON);

                    pingPong(na, nb, 10);
                    assertThat(link.proxyA.stats().txPackets()).isGreaterThanOrEqualTo(11);
                    assertThat(link.proxyA.stats().rxPackets()).isGreaterThanOrEqualTo(11);
                    assertThat(na.bind.counters().sent()).as("A's WireGuard sent nothing from its own socket").isZero();
                    assertThat(nb.bind.counters().received()).as("B's WireGuard received on its own socket").isPositive();
                    assertThat(nb.bind.counters().sent()).as("B's WireGuard sent from its own socket").isPositive();
                    assertThat(link.proxyB.stats()).as("B copies nothing: WireGuard's own data").isEqualTo(ProxyStats.ZERO);
                    assertThat(link.errors).isEmpty();
                }
            }
        }
    }

    private static IceLink.Runner inside(Host host) {
        return step -> NetNs.call(host.netns(), () -> {
            step.run();
            return null;
        });
    }

    /** n packets A → B and n B → A through the tunnel, one after another. */
    private static void pingPong(OurNode na, OurNode nb, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] ping = IpPackets.ipv4("10.9.0.1", "10.9.0.2", 84 + i * 50, i);
            na.tun.inject(ping);
            assertThat(nb.tun.take(WAIT)).as("A → B, packet %d", i).isEqualTo(ping);
            byte[] pong = IpPackets.ipv4("10.9.0.2", "10.9.0.1", 1200 - i * 30, i + 100);
            nb.tun.inject(pong);
            assertThat(na.tun.take(WAIT)).as("B → A, packet %d", i).isEqualTo(pong);
        }
    }
}
