package org.cunicu4j.linux.rawsock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.testlab.BlockedCall;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Raw sockets with the STUN filter in the kernel: host {@code a} sends with ordinary
 * DatagramChannels to host {@code b}, where the raw socket and ordinary UDP receivers run.
 * Raw delivery happens before UDP delivery in the same softirq, so once the ordinary
 * receivers hold every datagram, the raw socket's queue is complete.
 */
@RequiresRoot
@RequiresTools("ip")
class RawSocketTest {
    static final int P = 3478;
    static final int Q = 3479;
    static Lab lab;
    static Host a;
    static Host b;

    @BeforeAll
    static void lab() {
        lab = Lab.open();
        a = lab.host("a");
        b = lab.host("b");
        lab.link(a, "10.77.0.1/24", b, "10.77.0.2/24");
        a.run("ip", "addr", "add", "fd77::1/64", "dev", "eth0", "nodad");
        b.run("ip", "addr", "add", "fd77::2/64", "dev", "eth0", "nodad");
    }

    @AfterAll
    static void close() {
        lab.close();
    }

    static int family(int v) {
        return v == 4 ? AF_INET : AF_INET6;
    }

    static InetAddress addressOfB(int v) throws Exception {
        return InetAddress.getByName(v == 4 ? "10.77.0.2" : "fd77::2");
    }

    static DatagramChannel channel(Host host, int v, int port) throws Exception {
        return NetNs.call(host.netns(), () -> {
            DatagramChannel ch = DatagramChannel.open(v == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            ch.bind(new InetSocketAddress(InetAddress.getByName(v == 4 ? "0.0.0.0" : "::"), port));
            ch.configureBlocking(false);
            return ch;
        });
    }

    static ByteBuffer stun(int id) {
        return ByteBuffer.allocate(20).putShort((short) 1).putShort((short) 0).putInt(0x2112A442)
                .putInt(id).putInt(0).putInt(0).flip();
    }

    static ByteBuffer notStun(int id) {
        return ByteBuffer.allocate(20).putInt(0x01000000).putInt(id).putInt(0).putInt(0).putInt(0).flip();
    }

    /** Waits until {@code ch} has received {@code n} datagrams; returns their payloads. */
    static List<ByteBuffer> awaitDatagrams(DatagramChannel ch, int n) {
        List<ByteBuffer> got = new ArrayList<>();
        Waiter.until(n + " datagrams at " + ch, Duration.ofSeconds(5), () -> {
            try {
                ByteBuffer buf = ByteBuffer.allocate(2048);
                SocketAddress from;
                while (got.size() < n && (from = ch.receive(buf)) != null) {
                    got.add(buf.flip());
                    buf = ByteBuffer.allocate(2048);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return got.size() >= n;
        });
        return got;
    }

    /** Everything queued at the raw socket now, as the STUN transaction id word of each (or -1). */
    static List<Integer> drainIds(RawSocket raw, int v) throws Exception {
        List<Integer> ids = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        byte[] src = new byte[16];
        while (true) {
            buf.clear();
            int n = raw.tryReceive(buf, src);
            if (n < 0) {
                return ids;
            }
            buf.flip();
            int udp = raw.udpOffset(buf, 0);
            assertThat(buf.getShort(udp + 2) & 0xffff).as("UDP destination port").isEqualTo(P);
            ids.add(buf.getInt(udp + 8 + 8));
        }
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void stunFilterPassesOnlyStunToItsPort(int v) throws Exception {
        try (RawSocket raw = NetNs.call(b.netns(), () -> RawSocket.open(family(v), BpfFilters.stun(P, family(v))));
                DatagramChannel rxP = channel(b, v, P);
                DatagramChannel rxQ = channel(b, v, Q);
                DatagramChannel tx = channel(a, v, 0)) {
            InetAddress dst = addressOfB(v);
            tx.send(notStun(1), new InetSocketAddress(dst, P));
            tx.send(stun(2), new InetSocketAddress(dst, Q));
            tx.send(stun(3), new InetSocketAddress(dst, P));
            tx.send(ByteBuffer.wrap(new byte[] {0, 1, 0, 0, 0x21, 0x12}), new InetSocketAddress(dst, P));
            tx.send(stun(4), new InetSocketAddress(dst, P));
            assertThat(awaitDatagrams(rxP, 4)).hasSize(4);
            assertThat(awaitDatagrams(rxQ, 1)).hasSize(1);

            assertThat(drainIds(raw, v)).containsExactlyInAnyOrder(3, 4);
        }
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void receiveGivesTheSourceAddressAndTheFamilysView(int v) throws Exception {
        try (RawSocket raw = NetNs.call(b.netns(), () -> RawSocket.open(family(v), BpfFilters.stun(P, family(v))));
                DatagramChannel tx = channel(a, v, 40000)) {
            tx.send(stun(7), new InetSocketAddress(addressOfB(v), P));
            ByteBuffer buf = ByteBuffer.allocateDirect(2048);
            byte[] src = new byte[16];
            int n = CompletableFuture.supplyAsync(() -> {
                try {
                    return raw.receive(buf, src);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).get(5, TimeUnit.SECONDS);
            buf.flip();
            if (v == 4) {
                // The IPv4 header is included: version 4, protocol 17, source 10.77.0.1.
                assertThat(n).isEqualTo(20 + 8 + 20);
                assertThat(buf.get(0) >> 4).isEqualTo(4);
                assertThat(buf.get(9)).isEqualTo((byte) 17);
                assertThat(raw.udpOffset(buf, 0)).isEqualTo(20);
                assertThat(InetAddress.getByAddress(java.util.Arrays.copyOf(src, 4)).getHostAddress()).isEqualTo("10.77.0.1");
            } else {
                // No IPv6 header: the UDP header comes first.
                assertThat(n).isEqualTo(8 + 20);
                assertThat(raw.udpOffset(buf, 0)).isZero();
                assertThat(InetAddress.getByAddress(src)).isEqualTo(InetAddress.getByName("fd77::1"));
            }
            int udp = raw.udpOffset(buf, 0);
            assertThat(buf.getShort(udp) & 0xffff).as("source port").isEqualTo(40000);
            assertThat(buf.getShort(udp + 2) & 0xffff).as("destination port").isEqualTo(P);
            assertThat(buf.getInt(udp + 8 + 8)).isEqualTo(7);
        }
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void noUnfilteredPacketSlipsInWhileTheSocketOpens(int v) throws Exception {
        InetSocketAddress dst = new InetSocketAddress(addressOfB(v), P);
        try (DatagramChannel rxP = channel(b, v, P); DatagramChannel tx = channel(a, v, 0)) {
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong sent = new AtomicLong();
            Thread flood = Thread.ofPlatform().name("flood").start(() -> {
                ByteBuffer junk = notStun(0);
                while (flooding.get()) {
                    try {
                        tx.send(junk.rewind(), dst);
                        sent.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            Waiter.until("the flood runs", Duration.ofSeconds(5), () -> sent.get() > 100);
            List<RawSocket> raws = new ArrayList<>();
            try {
                long before = sent.get();
                for (int i = 0; i < 10; i++) {
                    raws.add(NetNs.call(b.netns(), () -> RawSocket.open(family(v), BpfFilters.stun(P, family(v)))));
                }
                long during = sent.get() - before;
                flooding.set(false);
                flood.join();
                assertThat(during).as("datagrams sent while the sockets opened").isPositive();

                // The flood may have filled rxP's buffer: resend the marker until one gets through.
                Waiter.until("a marker reached the UDP socket", Duration.ofSeconds(5), () -> {
                    try {
                        ByteBuffer buf = ByteBuffer.allocate(64);
                        boolean marker = false;
                        while (rxP.receive(buf.clear()) != null) {
                            marker |= buf.flip().remaining() == 20 && buf.getInt(4) == 0x2112A442;
                        }
                        if (!marker) {
                            tx.send(stun(99), dst);
                        }
                        return marker;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                for (RawSocket raw : raws) {
                    assertThat(drainIds(raw, v)).isNotEmpty().containsOnly(99);
                }
            } finally {
                flooding.set(false);
                raws.forEach(RawSocket::close);
            }
        }
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void theDrainRemovesWhatWasQueuedBeforeTheFilter(int v) throws Exception {
        InetSocketAddress dst = new InetSocketAddress(addressOfB(v), P);
        try (RawSocket raw = NetNs.call(b.netns(), () -> RawSocket.openUnfiltered(family(v)));
                DatagramChannel rxP = channel(b, v, P);
                DatagramChannel tx = channel(a, v, 0)) {
            // Really open the window: non-STUN datagrams sit in the unfiltered socket's queue.
            for (int i = 1; i <= 5; i++) {
                tx.send(notStun(i), dst);
            }
            awaitDatagrams(rxP, 5);
            Waiter.until("non-STUN datagrams queued at the raw socket", Duration.ofSeconds(5),
                    () -> {
                        try {
                            return raw.queuedBytes() > 0;
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });

            raw.installFilter(BpfFilters.stun(P, family(v)));

            tx.send(stun(99), dst);
            awaitDatagrams(rxP, 1);
            assertThat(drainIds(raw, v)).as("only the marker sent after the filter").containsExactly(99);
        }
    }

    /**
     * A bad UDP checksum never reaches an IPv6 raw socket with a filter or IPV6_CHECKSUM:
     * {@code rawv6_rcv_skb} verifies it before queueing, so a receive never has to skip one.
     */
    @org.junit.jupiter.api.Test
    void anIpv6DatagramWithABadChecksumNeverReachesTheQueue() throws Exception {
        InetSocketAddress dst = new InetSocketAddress(addressOfB(6), P);
        try (RawSocket raw = NetNs.call(b.netns(), () -> RawSocket.open(AF_INET6, BpfFilters.stun(P, AF_INET6)));
                RawSocket liar = NetNs.call(a.netns(), () -> RawSocket.open(AF_INET6, BpfProgram.DROP_ALL));
                DatagramChannel rxP = channel(b, 6, P);
                DatagramChannel tx = channel(a, 6, 0)) {
            long csumErrorsBefore = udp6InCsumErrors(b);
            // The kernel leaves the checksum to us once IPV6_CHECKSUM is off: give a wrong one.
            org.cunicu4j.linux.socket.Sockets.setInt(liar.fd(), org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IPV6,
                    org.cunicu4j.linux.socket.SocketConstants.IPV6_CHECKSUM, -1);
            ByteBuffer bad = ByteBuffer.allocateDirect(64);
            bad.putShort((short) 4444).putShort((short) P).putShort((short) 28).putShort((short) 0x1234).put(stun(5)).flip();
            assertThat(liar.send(bad, addressOfB(6).getAddress())).isEqualTo(28);
            Waiter.until("the bad datagram arrived (and UDP counted its checksum)", Duration.ofSeconds(5),
                    () -> udp6InCsumErrors(b) > csumErrorsBefore);
            tx.send(stun(6), dst);
            assertThat(awaitDatagrams(rxP, 1)).hasSize(1);

            assertThat(drainIds(raw, 6)).as("only the good datagram was queued").containsExactly(6);
        }
    }

    static long udp6InCsumErrors(Host host) {
        return host.run("cat", "/proc/net/snmp6").stdout().lines()
                .filter(l -> l.startsWith("Udp6InCsumErrors"))
                .mapToLong(l -> Long.parseLong(l.substring("Udp6InCsumErrors".length()).trim()))
                .findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void aRefusedDatagramIsReturnedAsMinusErrnoNotThrown(int v) throws Exception {
        try (RawSocket raw = NetNs.call(a.netns(), () -> RawSocket.open(family(v), BpfProgram.DROP_ALL))) {
            ByteBuffer d = ByteBuffer.allocateDirect(64);
            d.putShort((short) 4444).putShort((short) 5555).putShort((short) 8).putShort((short) 0).flip();
            byte[] noRoute = InetAddress.getByName(v == 4 ? "192.0.2.1" : "2001:db8::1").getAddress();

            assertThat(raw.send(d, noRoute)).as("-ENETUNREACH").isEqualTo(-org.cunicu4j.linux.Errno.ENETUNREACH);
            assertThat(raw.send(d, addressOfB(v).getAddress())).as("the socket still sends").isEqualTo(8);
        }
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void controlCallsAfterCloseThrowClosedChannel(int v) throws Exception {
        RawSocket raw = NetNs.call(b.netns(), () -> RawSocket.open(family(v), BpfProgram.DROP_ALL));
        raw.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.attach(BpfProgram.DROP_ALL))
                .isInstanceOf(ClosedChannelException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.bind(addressOfB(v)))
                .isInstanceOf(ClosedChannelException.class);
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void sendBuildsTheIpHeaderAroundOurUdpDatagram(int v) throws Exception {
        try (RawSocket raw = NetNs.call(a.netns(), () -> RawSocket.open(family(v), BpfProgram.DROP_ALL));
                DatagramChannel rx = channel(b, v, 5555)) {
            ByteBuffer d = ByteBuffer.allocateDirect(64);
            d.putShort((short) 4444).putShort((short) 5555).putShort((short) 13).putShort((short) 0);
            d.put("hello".getBytes()).flip();
            assertThat(raw.send(d, addressOfB(v).getAddress())).isEqualTo(8 + 5);
            assertThat(d.position()).isZero();

            ByteBuffer got = ByteBuffer.allocate(64);
            Waiter.until("the datagram arrives", Duration.ofSeconds(5), () -> {
                try {
                    SocketAddress from = rx.receive(got);
                    if (from != null) {
                        assertThat(((InetSocketAddress) from).getPort()).isEqualTo(4444);
                        return true;
                    }
                    return false;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(new String(got.array(), 0, got.position())).isEqualTo("hello");
        }
    }

    @Test
    void withHeaderIncludedAnIpv4SocketSendsThePacketWeBuiltSourceAndAll() throws Exception {
        try (RawSocket raw = NetNs.call(a.netns(), () -> RawSocket.open(AF_INET, BpfProgram.DROP_ALL));
                DatagramChannel rx = channel(b, 4, 5556)) {
            raw.setHeaderIncluded(true);
            byte[] src = {10, 77, 0, 1};
            byte[] dst = {10, 77, 0, 2};
            ByteBuffer d = ByteBuffer.allocateDirect(64);
            d.put((byte) 0x45).put((byte) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) 17).putShort((short) 0).put(src).put(dst);
            // UDP checksum 0: "none" in IPv4, so the receiver's kernel takes it as it is
            d.putShort((short) 4445).putShort((short) 5556).putShort((short) 13).putShort((short) 0);
            d.put("hello".getBytes()).flip();
            assertThat(raw.send(d, dst)).isEqualTo(20 + 8 + 5);

            ByteBuffer got = ByteBuffer.allocate(64);
            Waiter.until("the packet arrives", Duration.ofSeconds(5), () -> {
                try {
                    SocketAddress from = rx.receive(got);
                    if (from != null) {
                        assertThat(((InetSocketAddress) from).getPort()).isEqualTo(4445);
                        assertThat(((InetSocketAddress) from).getAddress().getAddress()).isEqualTo(src);
                        return true;
                    }
                    return false;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(new String(got.array(), 0, got.position())).isEqualTo("hello");
        }
    }

    @Test
    void anIpv6SocketHasNoHeaderIncludedOption() throws Exception {
        try (RawSocket raw = NetNs.call(a.netns(), () -> RawSocket.open(AF_INET6, BpfProgram.DROP_ALL))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.setHeaderIncluded(true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("AF_INET6");
        }
    }

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void closeWakesABlockedReceiver(int v) throws Exception {
        RawSocket raw = NetNs.call(b.netns(), () -> RawSocket.open(family(v), BpfProgram.DROP_ALL));
        BlockedCall reader = BlockedCall.start(() -> raw.receive(ByteBuffer.allocateDirect(64), null));
        assertThat(reader.isDone()).as("still blocked").isFalse();
        raw.close();
        assertThat(reader.outcome(java.time.Duration.ofSeconds(5))).isInstanceOf(ClosedChannelException.class);
    }
}
