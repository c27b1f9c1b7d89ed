package org.cunicu4j.net.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.testlab.BlockedCall;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** UdpPacketConn over loopback: no root needed. */
class UdpPacketConnTest {

    static InetSocketAddress loopback(String ip) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), 0);
    }

    static void put(PacketBatch batch, int slot, String text, InetSocketAddress to) {
        ByteBuffer b = batch.buffer(slot).clear();
        b.put(text.getBytes(StandardCharsets.US_ASCII)).flip();
        batch.setAddress(slot, to);
    }

    static String text(PacketBatch batch, int slot) {
        ByteBuffer b = batch.buffer(slot).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return new String(out, StandardCharsets.US_ASCII);
    }

    /** Receives until {@code n} datagrams have arrived (blocking calls, each bounded by a deadline). */
    static List<String> receive(UdpPacketConn conn, PacketBatch batch, int n, List<InetSocketAddress> sources)
            throws Exception {
        List<String> got = new ArrayList<>();
        while (got.size() < n) {
            int k = CompletableFuture.supplyAsync(() -> {
                try {
                    return conn.receive(batch);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).get(5, TimeUnit.SECONDS);
            assertThat(k).isEqualTo(batch.count()).isPositive();
            for (int i = 0; i < k; i++) {
                got.add(text(batch, i));
                assertThat(batch.buffer(i).position()).isZero();
                if (sources != null) {
                    sources.add(batch.address(i));
                }
            }
        }
        return got;
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void roundTripOverLoopback(String ip) throws Exception {
        try (UdpPacketConn a = UdpPacketConn.open(loopback(ip)); UdpPacketConn b = UdpPacketConn.open(loopback(ip))) {
            assertThat(a.localAddress().getPort()).isPositive();
            assertThat(a.localAddress().getAddress()).isEqualTo(InetAddress.getByName(ip));
            assertThat(a.preferredBatchSize()).isEqualTo(64);

            PacketBatch out = new PacketBatch(a.preferredBatchSize(), 1500);
            for (int i = 0; i < 3; i++) {
                put(out, i, "ping " + i, b.localAddress());
            }
            out.setCount(3);
            assertThat(a.send(out)).isEqualTo(3);
            assertThat(out.buffer(0).position()).as("send leaves positions").isZero();

            PacketBatch in = new PacketBatch(b.preferredBatchSize(), 1500);
            List<InetSocketAddress> sources = new ArrayList<>();
            assertThat(receive(b, in, 3, sources)).containsExactly("ping 0", "ping 1", "ping 2");
            assertThat(sources).containsOnly(a.localAddress());

            // Reply to whatever the receive reported, reusing the received batch.
            in.setCount(1);
            put(in, 0, "pong", sources.getFirst());
            assertThat(b.send(in)).isEqualTo(1);
            assertThat(receive(a, out, 1, null)).containsExactly("pong");
            assertThat(a.sendErrors() + b.sendErrors()).isZero();
        }
    }

    @Test
    void dualStackWildcardSeesIpv4PeersWithFourByteAddresses() throws Exception {
        try (UdpPacketConn v6 = UdpPacketConn.open(loopback("::")); UdpPacketConn v4 = UdpPacketConn.open(loopback("127.0.0.1"))) {
            PacketBatch out = new PacketBatch(1, 100);
            put(out, 0, "hello", new InetSocketAddress(InetAddress.getByName("127.0.0.1"), v6.localAddress().getPort()));
            out.setCount(1);
            v4.send(out);
            PacketBatch in = new PacketBatch(4, 100);
            assertThat(receive(v6, in, 1, null)).containsExactly("hello");
            assertThat(in.addressLength(0)).isEqualTo(4);
            assertThat(in.address(0)).isEqualTo(v4.localAddress());

            // And back: a 4-byte address is sent v4-mapped from the AF_INET6 socket.
            put(in, 0, "back", v4.localAddress());
            in.setCount(1);
            assertThat(v6.send(in)).isEqualTo(1);
            assertThat(receive(v4, out, 1, null)).containsExactly("back");
        }
    }

    @Test
    void closeWakesABlockedReceiveWithClosedChannelException() throws Exception {
        UdpPacketConn conn = UdpPacketConn.open(loopback("127.0.0.1"));
        PacketBatch batch = new PacketBatch(8, 1500);
        BlockedCall reader = BlockedCall.start(() -> conn.receive(batch));
        assertThat(reader.isDone()).as("still blocked").isFalse();
        conn.close();
        assertThat(reader.outcome(java.time.Duration.ofSeconds(5))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> conn.receive(batch)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> conn.send(batch)).isInstanceOf(ClosedChannelException.class);
        conn.close(); // idempotent
    }

    @Test
    void oversizedDatagramsAreDroppedAndCounted() throws Exception {
        try (UdpPacketConn a = UdpPacketConn.open(loopback("127.0.0.1")); UdpPacketConn b = UdpPacketConn.open(loopback("127.0.0.1"))) {
            PacketBatch out = new PacketBatch(2, 200);
            out.buffer(0).clear().put(new byte[100]).flip();
            out.setAddress(0, b.localAddress());
            put(out, 1, "small", b.localAddress());
            out.setCount(2);
            a.send(out);
            PacketBatch in = new PacketBatch(4, 16);
            assertThat(receive(b, in, 1, null)).containsExactly("small");
            assertThat(b.truncatedDrops()).isEqualTo(1);
        }
    }

    @Test
    void aRefusedDatagramIsCountedAndTheRestOfTheBatchStillGoes() throws Exception {
        try (UdpPacketConn a = UdpPacketConn.open(loopback("0.0.0.0")); UdpPacketConn b = UdpPacketConn.open(loopback("127.0.0.1"))) {
            PacketBatch out = new PacketBatch(4, 100);
            put(out, 0, "one", b.localAddress());
            put(out, 1, "broadcast", new InetSocketAddress(InetAddress.getByName("255.255.255.255"), 9));
            put(out, 2, "v6 on a v4 socket", new InetSocketAddress(InetAddress.getByName("::1"), 9));
            put(out, 3, "two", b.localAddress());
            out.setCount(4);
            assertThat(a.send(out)).isEqualTo(4);
            assertThat(a.sendErrors()).isEqualTo(2);
            assertThat(receive(b, new PacketBatch(4, 100), 2, null)).containsExactly("one", "two");
        }
    }

    @Test
    void alternatingBatchesAndBatchesLargerThanAChunkWork() throws Exception {
        try (UdpPacketConn a = UdpPacketConn.open(loopback("127.0.0.1")); UdpPacketConn b = UdpPacketConn.open(loopback("127.0.0.1"))) {
            b.socket().setReceiveBufferSize(1 << 20, false);
            PacketBatch first = new PacketBatch(2, 64);
            PacketBatch second = new PacketBatch(3, 64);
            for (PacketBatch out : List.of(first, second, first)) {
                for (int i = 0; i < out.capacity(); i++) {
                    put(out, i, "c" + out.capacity() + "-" + i, b.localAddress());
                }
                out.setCount(out.capacity());
                a.send(out);
            }
            PacketBatch in1 = new PacketBatch(1, 64);
            PacketBatch in2 = new PacketBatch(64, 64);
            List<String> got = new ArrayList<>(receive(b, in1, 1, null));
            got.addAll(receive(b, in2, 6, null));
            assertThat(got).containsExactly("c2-0", "c2-1", "c3-0", "c3-1", "c3-2", "c2-0", "c2-1");
        }
    }
}
