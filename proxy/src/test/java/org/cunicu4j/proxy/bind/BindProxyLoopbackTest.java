package org.cunicu4j.proxy.bind;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.gather.InterfaceFilter;
import org.cunicu4j.ice.mux.UdpMuxStats;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.IceLink;
import org.cunicu4j.proxy.IpPackets;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.junit.jupiter.api.Test;

/**
 * Two of our devices over MemoryTuns, each with a ProxyBind and a BindProxy on the host's
 * loopback: ICE on WireGuard's own port, host pair, WireGuard pointed at the remote
 * candidate, packets through the tunnel both ways; and bad input on the shared port.
 */
class BindProxyLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final GatherSettings ON_LO = GatherSettings.hostOnly()
            .withInterfaces(new InterfaceFilter(List.of("lo"), List.of())).withLoopback(true);

    @Test
    void hostPairOnWireGuardsPortCarriesTheTunnelBothWays() throws Exception {
        try (OurNode na = new OurNode("pxa"); OurNode nb = new OurNode("pxb")) {
            na.addPeer(nb.pub, "10.9.0.2/32");
            nb.addPeer(na.pub, "10.9.0.1/32");
            try (IceLink link = IceLink.start(IceLink.fastConfig(ON_LO).build(), ON_LO,
                    na.proxy, nb.pub, IceLink.HERE, nb.proxy, na.pub, IceLink.HERE)) {
                link.awaitConnected(WAIT);
                assertDirectOnWireGuardsPort(link, na, nb);
                assertTunnelBothWays(na, nb, 1);
                assertThat(link.proxyA.mode()).isEqualTo(ProxyMode.BIND);
                assertThat(link.proxyA.reason()).isEqualTo(BindProxy.REASON);
                assertThat(link.proxyA.stats().txPackets()).as("direct data is WireGuard's own, not copied").isZero();
                assertThat(link.errors).isEmpty();
            }
            assertThat(na.bind.relays()).isZero();
        }
    }

    @Test
    void garbageAndTruncatedStunOnTheSharedPortAreCountedAndChangeNothing() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        try (OurNode na = new OurNode("pxc"); OurNode nb = new OurNode("pxd")) {
            na.addPeer(nb.pub, "10.9.0.2/32");
            nb.addPeer(na.pub, "10.9.0.1/32");
            try (IceLink link = IceLink.start(IceLink.fastConfig(ON_LO).build(), ON_LO,
                    na.proxy, nb.pub, IceLink.HERE, nb.proxy, na.pub, IceLink.HERE)) {
                link.awaitConnected(WAIT);
                assertDirectOnWireGuardsPort(link, na, nb);
                assertTunnelBothWays(na, nb, 1);

                UdpMuxStats before = na.proxy.muxStats(StandardProtocolFamily.INET);
                int garbage = 300;
                int stun = 200;
                InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), na.device.listenPort());
                try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
                    ch.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                    for (int i = 0; i < garbage; i++) {
                        byte[] g = new byte[1 + r.nextInt(1400)];
                        r.nextBytes(g);
                        g[0] = (byte) (0x80 | g[0]); // neither STUN (top bits 00) nor WireGuard (type 1..4)
                        ch.send(ByteBuffer.wrap(g), target);
                    }
                    for (int i = 0; i < stun; i++) {
                        ch.send(ByteBuffer.wrap(truncatedStun(r)), target);
                    }
                }
                Waiter.until("the mux counted the bad input (seed " + seed + ")", WAIT, () -> {
                    UdpMuxStats s = na.proxy.muxStats(StandardProtocolFamily.INET);
                    return s.unroutable() - before.unroutable() >= garbage && s.malformedStun() - before.malformedStun() >= stun;
                });
                assertThat(na.proxy.pumping()).as("seed %d", seed).isTrue();
                assertThat(na.proxy.pumpErrors()).as("seed %d", seed).isZero();
                assertThat(IceLink.up(link.a)).as("seed %d: %s", seed, link.a.state()).isTrue();
                assertTunnelBothWays(na, nb, 100);
                assertThat(link.errors).isEmpty();
            }
        }
    }

    @Test
    void aBindReopenedOnANewPortKeepsTheTunnelAndNewAgentsGatherOnTheNewPort() throws Exception {
        try (OurNode na = new OurNode("pxe"); OurNode nb = new OurNode("pxf")) {
            na.addPeer(nb.pub, "10.9.0.2/32");
            nb.addPeer(na.pub, "10.9.0.1/32");
            try (IceLink link = IceLink.start(IceLink.fastConfig(ON_LO).build(), ON_LO,
                    na.proxy, nb.pub, IceLink.HERE, nb.proxy, na.pub, IceLink.HERE)) {
                link.awaitConnected(WAIT);
                assertDirectOnWireGuardsPort(link, na, nb);
                assertTunnelBothWays(na, nb, 1);
            }
            int old = na.device.listenPort();
            na.device.apply(new DeviceUpdate(null, 0, null, false, List.of())); // the device re-opens its Bind
            assertThat(na.device.listenPort()).isNotEqualTo(old).isEqualTo(na.bind.port());
            assertThat(na.proxy.pumping()).isTrue();
            // A's first packet from the new port makes B roam to it: the tunnel goes on
            assertTunnelBothWays(na, nb, 2);
            // the muxes follow the Bind's sockets: a new session gathers and connects on the new port
            try (IceLink link = IceLink.start(IceLink.fastConfig(ON_LO).build(), ON_LO,
                    na.proxy, nb.pub, IceLink.HERE, nb.proxy, na.pub, IceLink.HERE)) {
                link.awaitConnected(WAIT);
                assertDirectOnWireGuardsPort(link, na, nb);
                assertTunnelBothWays(na, nb, 3);
                assertThat(link.errors).isEmpty();
            }
        }
    }

    /** A STUN Binding request header (cookie and all) whose length field claims more than is there, or bad attributes. */
    private static byte[] truncatedStun(Random r) {
        int body = r.nextInt(3) * 4 + (r.nextBoolean() ? 0 : 2);
        ByteBuffer b = ByteBuffer.allocate(20 + body);
        b.putShort((short) 0x0001);
        b.putShort((short) (body + 8 + 4 * r.nextInt(20))); // longer than the datagram
        b.putInt(0x2112A442);
        byte[] tid = new byte[12];
        r.nextBytes(tid);
        b.put(tid);
        byte[] rest = new byte[body];
        r.nextBytes(rest);
        b.put(rest);
        return b.array();
    }

    static void assertDirectOnWireGuardsPort(IceLink link, OurNode na, OurNode nb) {
        IceCandidatePair pa = link.pairA();
        IceCandidatePair pb = link.pairB();
        assertThat(pa.local().type()).isIn(CandidateType.HOST, CandidateType.PEER_REFLEXIVE);
        assertThat(pa.local().address().getPort()).as("ICE runs on WireGuard's own port").isEqualTo(na.device.listenPort());
        assertThat(pa.remote().address().getPort()).isEqualTo(nb.device.listenPort());
        Waiter.until("A's WireGuard endpoint for B is the remote candidate " + pa.remote().address(), WAIT,
                () -> pa.remote().address().equals(na.endpointOf(nb.pub)));
        Waiter.until("B's WireGuard endpoint for A is the remote candidate " + pb.remote().address(), WAIT,
                () -> pb.remote().address().equals(nb.endpointOf(na.pub)));
    }

    static void assertTunnelBothWays(OurNode na, OurNode nb, int seed) throws InterruptedException {
        byte[] ping = IpPackets.ipv4("10.9.0.1", "10.9.0.2", 84, seed);
        na.tun.inject(ping);
        assertThat(nb.tun.take(WAIT)).as("A → B through the tunnel").isEqualTo(ping);
        byte[] pong = IpPackets.ipv4("10.9.0.2", "10.9.0.1", 1200, seed + 1);
        nb.tun.inject(pong);
        assertThat(na.tun.take(WAIT)).as("B → A through the tunnel").isEqualTo(pong);
    }
}
