package org.cunicu4j.proxy.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.linux.Capabilities;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.rawsock.BpfProgram;
import org.cunicu4j.linux.rawsock.RawSocket;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RawSocketProxy in one lab namespace on the loopback, with an ordinary UDP socket on the
 * "WireGuard" port standing in for WireGuard: STUN sent to that port reaches ICE (a conn of
 * the raw mux) and WireGuard alike, other datagrams only WireGuard; answers leave from the
 * WireGuard port with checksums the receiving kernel accepts; malformed datagrams that pass
 * the filter are counted and the mux goes on; an IPv4 header with options is skipped by its
 * length; the filter follows a port change, a relay peer's fallback with it, and a family
 * that cannot follow is named while the rest still follow; close leaves no raw socket nor
 * thread, is idempotent and refuses what comes after; a failed self-test and a missing
 * CAP_NET_RAW fail the open with the reason and leave no raw socket.
 */
@RequiresRoot
@RequiresTools({"ip", "nft"})
class RawSocketProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int COOKIE = 0x2112A442;

    private static Lab lab;
    private static Host host;
    private static int nextPort = 40000;

    @BeforeAll
    static void openLab() {
        lab = Lab.open();
        host = lab.host("raw");
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    private static synchronized int port() {
        return nextPort++;
    }

    private static InetAddress loopback(int family) throws Exception {
        return InetAddress.getByName(family == AF_INET ? "127.0.0.1" : "::1");
    }

    @ParameterizedTest(name = "family {0}")
    @ValueSource(ints = {AF_INET, AF_INET6})
    void stunToTheWireGuardPortReachesIceAndEverythingStillReachesWireGuard(int family) throws Exception {
        NetNs.call(host.netns(), () -> {
            int port = port();
            InetAddress lo = loopback(family);
            try (RawSocketProxy proxy = RawSocketProxy.open(new StubControl(port), port);
                    DatagramSocket wireguard = new DatagramSocket(new InetSocketAddress(lo, port)); // after the self-test
                    DatagramSocket client = new DatagramSocket(new InetSocketAddress(lo, 0))) {
                wireguard.setSoTimeout(5000);
                client.setSoTimeout(5000);
                assertThat(proxy.mode()).isEqualTo(ProxyMode.RAW);
                assertThat(proxy.skippedFamilies()).as("both families pass the self-test here").isEmpty();
                UdpMux mux = mux(proxy, family);
                assertThat(mux.localAddress().getPort()).isEqualTo(port);
                MuxedConn ice = mux.connFor("lfrag");

                byte[] data = "a WireGuard datagram".getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(data, data.length, lo, port));
                assertThat(receive(wireguard)).as("non-STUN reaches WireGuard").isEqualTo(data);

                byte[] txid = txid(1);
                byte[] stun = bindingRequest("lfrag:rfrag", txid);
                client.send(new DatagramPacket(stun, stun.length, lo, port));
                PacketBatch in = new PacketBatch(4, 2048);
                int n = receive(ice, in);
                assertThat(n).isEqualTo(1);
                assertThat(bytes(in, 0)).as("STUN at the WireGuard port reaches ICE, whole").isEqualTo(stun);
                assertThat(in.address(0)).isEqualTo(client.getLocalSocketAddress());
                assertThat(receive(wireguard)).as("and WireGuard still gets its own copy").isEqualTo(stun);

                PacketBatch out = new PacketBatch(1, 2048);
                byte[] answer = bindingRequest("rfrag:lfrag", txid(2));
                out.buffer(0).clear().put(answer).flip();
                out.setAddress(0, (InetSocketAddress) client.getLocalSocketAddress());
                out.setCount(1);
                ice.send(out);
                DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
                client.receive(got); // the kernel's UDP drops a datagram whose checksum is wrong
                assertThat(Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(answer);
                assertThat(got.getPort()).as("sent from WireGuard's port").isEqualTo(port);
                assertThat(got.getAddress()).isEqualTo(lo);

                RawConnStats stats = stats(proxy, family);
                assertThat(stats.delivered()).isEqualTo(1);
                assertThat(stats.receiveDrops()).as(stats.toString()).isZero();
                assertThat(stats.sent()).as("self-test and answer").isEqualTo(2);
                assertThat(mux.stats().foreign()).isZero();
            }
            return null;
        });
    }

    @ParameterizedTest(name = "family {0}")
    @ValueSource(ints = {AF_INET, AF_INET6})
    void malformedDatagramsMatchingTheFilterAreCountedAndTheMuxGoesOn(int family) throws Exception {
        NetNs.call(host.netns(), () -> {
            int port = port();
            InetAddress lo = loopback(family);
            byte[] loBytes = lo.getAddress();
            try (RawSocketProxy proxy = RawSocketProxy.open(new StubControl(port), port);
                    RawSocket forger = RawSocket.open(family, BpfProgram.DROP_ALL);
                    DatagramSocket client = new DatagramSocket(new InetSocketAddress(lo, 0))) {
                UdpMux mux = mux(proxy, family);
                MuxedConn ice = mux.connFor("lfrag");
                byte[] stun = bindingRequest("lfrag:rfrag", txid(7));
                ByteBuffer buf = ByteBuffer.allocateDirect(2048);
                if (family == AF_INET) {
                    forger.setHeaderIncluded(true);
                    // UDP length beyond the packet
                    forge4(buf, loBytes, port, stun, stun.length + 8 + 40);
                    assertThat(forger.send(buf, loBytes)).isPositive();
                    // UDP length below its own header
                    forge4(buf, loBytes, port, stun, 4);
                    assertThat(forger.send(buf, loBytes)).isPositive();
                    // source port 0
                    forge4(buf, loBytes, port, stun, stun.length + 8);
                    buf.putShort(20, (short) 0);
                    assertThat(forger.send(buf, loBytes)).isPositive();
                } else {
                    // UDP length beyond the datagram (the kernel computes the checksum: IPV6_CHECKSUM)
                    forge6(buf, 5555, port, stun, stun.length + 8 + 40);
                    assertThat(forger.send(buf, loBytes)).isPositive();
                    // source port 0
                    forge6(buf, 0, port, stun, stun.length + 8);
                    assertThat(forger.send(buf, loBytes)).isPositive();
                }
                // the cookie, but no STUN message behind it: the mux counts it
                byte[] bogus = Arrays.copyOf(stun, 24);
                bogus[2] = 0x00;
                bogus[3] = (byte) 0xf0;
                client.send(new DatagramPacket(bogus, bogus.length, lo, port));
                // and then a good one still arrives
                client.send(new DatagramPacket(stun, stun.length, lo, port));
                PacketBatch in = new PacketBatch(4, 2048);
                assertThat(receive(ice, in)).isEqualTo(1);
                assertThat(bytes(in, 0)).isEqualTo(stun);

                RawConnStats stats = stats(proxy, family);
                if (family == AF_INET) {
                    assertThat(stats.dropped(RawDrop.BAD_UDP_LENGTH)).as(stats.toString()).isEqualTo(2);
                    assertThat(stats.dropped(RawDrop.ZERO_SOURCE_PORT)).as(stats.toString()).isEqualTo(1);
                } else {
                    assertThat(stats.dropped(RawDrop.BAD_UDP_LENGTH)).as(stats.toString()).isEqualTo(1);
                    assertThat(stats.dropped(RawDrop.ZERO_SOURCE_PORT)).as(stats.toString()).isEqualTo(1);
                }
                assertThat(mux.stats().malformedStun()).isEqualTo(1);
                assertThat(mux.failure()).isEmpty();
            }
            return null;
        });
    }

    @Test
    void theFilterFollowsAListenPortChange() throws Exception {
        NetNs.call(host.netns(), () -> {
            int oldPort = port();
            int newPort = port();
            InetAddress lo = loopback(AF_INET);
            StubControl control = new StubControl(oldPort);
            try (RawSocketProxy proxy = RawSocketProxy.open(control, oldPort);
                    DatagramSocket client = new DatagramSocket(new InetSocketAddress(lo, 0))) {
                client.setSoTimeout(5000);
                proxy.listenPortChanged(newPort);
                assertThat(proxy.listenPort()).isEqualTo(newPort);
                UdpMux mux = mux(proxy, AF_INET);
                assertThat(mux.localAddress().getPort()).as("new host candidates on the new port").isEqualTo(newPort);
                MuxedConn ice = mux.connFor("lfrag");
                byte[] toOld = bindingRequest("lfrag:rfrag", txid(3));
                byte[] toNew = bindingRequest("lfrag:rfrag", txid(4));
                client.send(new DatagramPacket(toOld, toOld.length, lo, oldPort));
                client.send(new DatagramPacket(toNew, toNew.length, lo, newPort));
                PacketBatch in = new PacketBatch(1, 2048);
                assertThat(receive(ice, in)).isEqualTo(1);
                assertThat(bytes(in, 0)).as("only what goes to the new port passes").isEqualTo(toNew);

                PacketBatch out = new PacketBatch(1, 2048);
                out.buffer(0).clear().put(toOld).flip();
                out.setAddress(0, (InetSocketAddress) client.getLocalSocketAddress());
                out.setCount(1);
                ice.send(out);
                DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
                client.receive(got);
                assertThat(got.getPort()).as("sent from the new port").isEqualTo(newPort);
                assertThat(stats(proxy, AF_INET).receiveDrops()).isZero();
            }
            return null;
        });
    }

    @Test
    void aFailedSelfTestMakesTheModeUnavailableWithTheReasonAndLeavesNoRawSocket() throws Exception {
        int port = port();
        host.run("nft", "add", "table", "inet", "selftest");
        host.run("nft", "add chain inet selftest input { type filter hook input priority 0 ; }");
        host.run("nft", "add rule inet selftest input udp dport " + port + " drop");
        try {
            int before = rawUdpSockets();
            assertThatThrownBy(() -> NetNs.call(host.netns(),
                    () -> RawSocketProxy.open(new StubControl(port), port, Duration.ofMillis(300))))
                    .isInstanceOfSatisfying(ProxyUnavailableException.class, e -> {
                        assertThat(e.mode()).isEqualTo(ProxyMode.RAW);
                        assertThat(e.getMessage()).contains("raw-socket self-test failed")
                                .contains("IPv4: a STUN datagram sent to 127.0.0.1 port " + port + " did not reach")
                                .contains("IPv6: a STUN datagram sent to ::1 port " + port + " did not reach");
                    });
            assertThat(rawUdpSockets()).as("nothing left open").isEqualTo(before);
        } finally {
            host.run("nft", "delete", "table", "inet", "selftest");
        }
    }

    @Test
    void withoutCapNetRawTheModeIsUnavailableWithTheFix() throws Exception {
        int port = port();
        assertThatThrownBy(() -> NetNs.call(host.netns(), () -> {
            Capabilities.dropOnCurrentThread(Capabilities.CAP_NET_RAW);
            return RawSocketProxy.open(new StubControl(port), port);
        })).isInstanceOfSatisfying(ProxyUnavailableException.class, e -> {
            assertThat(e.mode()).isEqualTo(ProxyMode.RAW);
            assertThat(e.getMessage()).startsWith("raw unavailable: no raw socket could be opened")
                    .contains("EPERM").contains("CAP_NET_RAW");
        });
    }

    @Test
    void anIpv4DatagramWithOptionsPassesTheFilterAndReachesIce() throws Exception {
        NetNs.call(host.netns(), () -> {
            int port = port();
            byte[] lo = loopback(AF_INET).getAddress();
            try (RawSocketProxy proxy = RawSocketProxy.open(new StubControl(port), port);
                    RawSocket forger = RawSocket.open(AF_INET, BpfProgram.DROP_ALL)) {
                forger.setHeaderIncluded(true);
                MuxedConn ice = mux(proxy, AF_INET).connFor("lfrag");
                byte[] stun = bindingRequest("lfrag:rfrag", txid(8));
                ByteBuffer buf = ByteBuffer.allocateDirect(2048);
                forge4(buf, lo, port, stun, stun.length + 8);
                UdpHeadersTest.withNopOptions(buf, buf.limit(), 4); // IHL 6: the UDP header at 24
                assertThat(buf.get(0)).isEqualTo((byte) 0x46);
                assertThat(forger.send(buf, lo)).isPositive();
                PacketBatch in = new PacketBatch(1, 2048);
                assertThat(receive(ice, in)).isEqualTo(1);
                assertThat(bytes(in, 0)).as("the payload after the options and the UDP header").isEqualTo(stun);
                assertThat(in.address(0)).isEqualTo(new InetSocketAddress(loopback(AF_INET), 5555));
                RawConnStats stats = stats(proxy, AF_INET);
                assertThat(stats.receiveDrops()).as(stats.toString()).isZero();
                assertThat(stats.delivered()).isEqualTo(1);
            }
            return null;
        });
    }

    @Test
    void closeLeavesNoRawSocketNorThreadIsIdempotentAndRefusesWhatComesAfter() throws Exception {
        int port = port();
        int before = rawUdpSockets();
        StubControl control = new StubControl(port);
        RawSocketProxy proxy = NetNs.call(host.netns(), () -> RawSocketProxy.open(control, port));
        IceAgent agent = agent();
        Key peer = Key.generatePrivate().publicKey();
        String tag = peer.toBase64().substring(0, 8);
        try {
            assertThat(rawUdpSockets()).as("one per family while open").isEqualTo(before + 2);
            assertThat(muxThreads(port)).hasSize(2);
            NetNs.call(host.netns(), () -> proxy.attach(peer, agent));
            assertThat(fallbackThreads(tag)).as("the peer's fallback loops").hasSize(2);
        } finally {
            proxy.close();
            agent.close();
        }
        assertThat(rawUdpSockets()).as("every raw socket closed").isEqualTo(before);
        Waiter.until("no udp-mux thread of port " + port + " (" + muxThreads(port) + ")", WAIT,
                () -> muxThreads(port).isEmpty());
        Waiter.until("the fallback's loops ended", WAIT, () -> fallbackThreads(tag).isEmpty());

        proxy.close(); // again: nothing to do, nothing thrown
        assertThat(rawUdpSockets()).isEqualTo(before);
        try (IceAgent late = agent()) {
            assertThatThrownBy(() -> NetNs.call(host.netns(), () -> proxy.attach(Key.generatePrivate().publicKey(), late)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
        assertThatThrownBy(() -> proxy.gatherers(GatherSettings.hostOnly())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        proxy.listenPortChanged(port + 1); // the daemon's watcher may race close: nothing done, nothing thrown
        assertThat(proxy.listenPort()).isEqualTo(port);
        assertThatThrownBy(() -> proxy.listenPortChanged(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..65535");
        assertThat(control.endpoints).as("no endpoint set by any of it").isEmpty();
    }

    @Test
    void aListenPortChangeMovesARelayPeersFallbackToo() throws Exception {
        NetNs.call(host.netns(), () -> {
            int oldPort = port();
            int newPort = port();
            StubControl control = new StubControl(oldPort);
            try (RawSocketProxy proxy = RawSocketProxy.open(control, oldPort);
                    IceAgent agent = agent()) {
                RelayPeer relay = relayPeer(proxy, control, agent);
                assertTheFallbackTakesWireGuardAt(relay, oldPort, newPort);
                control.listenPort = newPort;
                proxy.listenPortChanged(newPort);
                assertTheFallbackTakesWireGuardAt(relay, newPort, oldPort);
                assertThat(relay.proxy().mode()).isEqualTo(ProxyMode.USER);
            }
            return null;
        });
    }

    @Test
    void aFamilyWhoseFilterCannotFollowIsNamedWhileTheOtherAndTheFallbacksFollow() throws Exception {
        NetNs.call(host.netns(), () -> {
            int oldPort = port();
            int newPort = port();
            StubControl control = new StubControl(oldPort);
            try (RawSocketProxy proxy = RawSocketProxy.open(control, oldPort);
                    IceAgent agent = agent()) {
                assertThat(proxy.skippedFamilies()).isEmpty();
                RelayPeer relay = relayPeer(proxy, control, agent);
                RawUdpConn v4 = proxy.conns().get(0);
                RawUdpConn v6 = proxy.conns().get(1);
                assertThat(v4.family()).isEqualTo(AF_INET);
                v4.close(); // the first family fails: the second must still be tried
                control.listenPort = newPort;
                assertThatThrownBy(() -> proxy.listenPortChanged(newPort))
                        .isInstanceOf(UncheckedIOException.class)
                        .hasMessageContaining("the BPF filter of IPv4 could not follow port " + newPort
                                + " (ClosedChannelException)")
                        .hasMessageContaining("IPv6 did")
                        .hasCauseInstanceOf(ClosedChannelException.class);
                assertThat(proxy.listenPort()).as("the device's port, whatever failed").isEqualTo(newPort);
                assertThat(v6.listenPort()).isEqualTo(newPort);
                assertThat(v4.listenPort()).as("a family that failed stays on the old port").isEqualTo(oldPort);
                assertTheFallbackTakesWireGuardAt(relay, newPort, oldPort);
            }
            return null;
        });
    }

    // ---- helpers ----

    private static IceAgent agent() {
        return IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING, List.of());
    }

    private record RelayPeer(PeerProxy proxy, InetSocketAddress loopback) {}

    /** Attaches a peer and selects a relay pair for it: its fallback takes over; the WireGuard endpoint is its loopback socket. */
    private static RelayPeer relayPeer(RawSocketProxy proxy, StubControl control, IceAgent agent) throws Exception {
        PeerProxy p = proxy.attach(Key.generatePrivate().publicKey(), agent);
        Candidate relay = new Candidate("r1", 1, 1, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 3478),
                CandidateType.RELAY, new InetSocketAddress(InetAddress.getByName("192.0.2.2"), 5000),
                Candidate.RelayProtocol.UDP);
        Candidate remote = new Candidate("h1", 1, 1, new InetSocketAddress(InetAddress.getByName("192.0.2.3"), 51820),
                CandidateType.HOST, null, null);
        p.selectedPairChanged(new IceCandidatePair(relay, remote));
        assertThat(p.mode()).isEqualTo(ProxyMode.USER);
        assertThat(control.endpoints).hasSize(1);
        return new RelayPeer(p, control.endpoints.getLast());
    }

    /**
     * The relay fallback copies what comes to its loopback socket from 127.0.0.1 port
     * {@code wgPort} (WireGuard) and drops, as a stranger's, what comes from {@code otherPort}.
     */
    private static void assertTheFallbackTakesWireGuardAt(RelayPeer relay, int wgPort, int otherPort) throws Exception {
        InetAddress lo = loopback(AF_INET);
        ProxyStats before = relay.proxy().stats();
        try (DatagramSocket wireguard = new DatagramSocket(new InetSocketAddress(lo, wgPort));
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(lo, otherPort))) {
            byte[] data = "to the peer".getBytes(StandardCharsets.US_ASCII);
            wireguard.send(new DatagramPacket(data, data.length, relay.loopback()));
            stranger.send(new DatagramPacket(data, data.length, relay.loopback()));
            Waiter.until("the fallback takes WireGuard at port " + wgPort + " and drops port " + otherPort, WAIT, () -> {
                ProxyStats now = relay.proxy().stats();
                return now.txPackets() == before.txPackets() + 1 && now.dropped() == before.dropped() + 1;
            });
        }
    }

    private static List<String> muxThreads(int port) {
        return threadNames(n -> n.startsWith("udp-mux") && n.endsWith(":" + port));
    }

    private static List<String> fallbackThreads(String tag) {
        return threadNames(n -> n.startsWith("userproxy-") && n.endsWith(" " + tag));
    }

    private static List<String> threadNames(java.util.function.Predicate<String> which) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).filter(which).toList();
    }

    // ---- helpers ----

    private static UdpMux mux(RawSocketProxy proxy, int family) {
        for (UdpMux m : proxy.muxes()) {
            if ((m.localAddress().getAddress().getAddress().length == 4) == (family == AF_INET)) {
                return m;
            }
        }
        throw new AssertionError("no mux of family " + family + " in " + proxy);
    }

    private static RawConnStats stats(RawSocketProxy proxy, int family) {
        List<UdpMux> muxes = proxy.muxes();
        for (int i = 0; i < muxes.size(); i++) {
            if ((muxes.get(i).localAddress().getAddress().getAddress().length == 4) == (family == AF_INET)) {
                return proxy.connStats().get(i);
            }
        }
        throw new AssertionError("no conn of family " + family);
    }

    /** UDP raw sockets in the lab namespace ({@code /proc/net/raw} and {@code raw6}: protocol 17 is "local port" 0011). */
    private static int rawUdpSockets() {
        int n = 0;
        for (String file : new String[] {"/proc/net/raw", "/proc/net/raw6"}) {
            for (String line : host.exec("cat", file).stdout().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 1 && f[1].endsWith(":0011")) {
                    n++;
                }
            }
        }
        return n;
    }

    private static byte[] receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing arrived on " + s.getLocalSocketAddress(), e);
        }
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static int receive(MuxedConn conn, PacketBatch batch) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(conn.receive(batch));
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            conn.close();
            throw new AssertionError("nothing reached the ICE conn " + conn.ufrag() + " within " + WAIT, e);
        }
    }

    private static byte[] bytes(PacketBatch b, int slot) {
        ByteBuffer buf = b.buffer(slot);
        byte[] out = new byte[buf.remaining()];
        buf.get(buf.position(), out);
        return out;
    }

    private static byte[] txid(int seed) {
        byte[] t = new byte[12];
        Arrays.fill(t, (byte) seed);
        t[0] = (byte) 0xa5;
        return t;
    }

    /** A Binding request with USERNAME (no integrity: the mux routes by USERNAME before any agent checks). */
    static byte[] bindingRequest(String username, byte[] txid) {
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        int padded = (user.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(20 + 4 + padded);
        b.putShort((short) 0x0001).putShort((short) (4 + padded)).putInt(COOKIE).put(txid);
        b.putShort((short) 0x0006).putShort((short) user.length).put(user);
        return b.array();
    }

    /** An IPv4 packet to ourselves: a UDP header with {@code udpLength} in it and the payload. */
    private static void forge4(ByteBuffer buf, byte[] lo, int port, byte[] payload, int udpLength) {
        ByteBuffer p = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
        int len = UdpHeaders.writeIpv4(buf, lo, lo, 5555, port, p, 0, payload.length);
        buf.putShort(24, (short) udpLength);
        buf.putShort(26, (short) 0); // "none": only what the test changes is wrong
        buf.position(0).limit(len);
    }

    private static void forge6(ByteBuffer buf, int sport, int port, byte[] payload, int udpLength) {
        ByteBuffer p = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
        int len = UdpHeaders.writeUdp6(buf, null, null, sport, port, p, 0, payload.length);
        buf.putShort(4, (short) udpLength);
        buf.position(0).limit(len);
    }

    /** Enough of a WireGuard device for the raw mode alone: a name, a port, endpoints recorded. */
    static final class StubControl implements WireGuardControl {
        final List<InetSocketAddress> endpoints = new CopyOnWriteArrayList<>();
        private final String name;
        /** The device's port as status() reports it; a test moves it as a restarted device would. */
        volatile int listenPort;

        StubControl(int listenPort) {
            this.listenPort = listenPort;
            this.name = "stub" + listenPort;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DeviceStatus status() {
            return new DeviceStatus(null, listenPort, 0, List.of());
        }

        @Override
        public void apply(DeviceUpdate update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setEndpoint(Key peer, InetSocketAddress endpoint) {
            endpoints.add(endpoint);
        }
    }
}
