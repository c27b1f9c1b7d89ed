package org.cunicu4j.linux.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.SOL_SOCKET;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.cunicu4j.testlab.BlockedCall;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/** UdpSocket over loopback in the test's own namespace: no root needed. */
class UdpSocketTest {
    static final int SO_MEMINFO = 55;
    static final InetAddress LO4 = InetAddress.getLoopbackAddress();

    /** Bytes the kernel holds in the socket's receive queue (SK_MEMINFO_RMEM_ALLOC). */
    static int queuedMemory(UdpSocket s) {
        try {
            return Sockets.getInt(s.fd(), SOL_SOCKET, SO_MEMINFO);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] payload(int i) {
        return ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
    }

    static String text(MessageBatch batch, int slot) {
        byte[] b = batch.buffer(slot).asSlice(0, batch.length(slot)).toArray(ValueLayout.JAVA_BYTE);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void oneRecvmmsgReceivesEightDatagramsWithTheirSources() throws Exception {
        try (UdpSocket rx = UdpSocket.open(new InetSocketAddress(LO4, 0));
                DatagramChannel txA = DatagramChannel.open().bind(new InetSocketAddress(LO4, 0));
                DatagramChannel txB = DatagramChannel.open().bind(new InetSocketAddress(LO4, 0))) {
            InetSocketAddress dst = rx.localAddress();
            assertThat(dst.getPort()).isPositive();
            // Learn one datagram's memory footprint, then wait until all eight are queued.
            txA.send(ByteBuffer.wrap(payload(0)), dst);
            Waiter.until("the first datagram is queued", Duration.ofSeconds(5), () -> queuedMemory(rx) > 0);
            int one = queuedMemory(rx);
            for (int i = 1; i < 8; i++) {
                (i % 2 == 0 ? txA : txB).send(ByteBuffer.wrap(payload(i)), dst);
            }
            Waiter.until("eight datagrams are queued", Duration.ofSeconds(5), () -> queuedMemory(rx) >= 8 * one);

            MessageBatch batch = MessageBatch.withBuffers(16, 2048);
            assertThat(rx.receive(batch)).isEqualTo(8);
            byte[] addr = new byte[16];
            for (int i = 0; i < 8; i++) {
                assertThat(text(batch, i)).isEqualTo("datagram " + i);
                assertThat(batch.truncated(i)).isFalse();
                assertThat(batch.sourceAddress(i, addr, 0)).isEqualTo(4);
                assertThat(Arrays.copyOf(addr, 4)).isEqualTo(LO4.getAddress());
                int expectedPort = ((InetSocketAddress) (i % 2 == 0 ? txA : txB).getLocalAddress()).getPort();
                assertThat(batch.sourcePort(i)).isEqualTo(expectedPort);
                assertThat(batch.packetInfoIfIndex(i)).as("no packet info asked for").isEqualTo(-1);
            }
        }
    }

    @Test
    void oneSendmmsgSendsEightDatagrams() throws Exception {
        try (UdpSocket tx = UdpSocket.open(new InetSocketAddress(LO4, 0));
                DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress(LO4, 0))) {
            rx.configureBlocking(false);
            MessageBatch batch = MessageBatch.withBuffers(8, 2048);
            for (int i = 0; i < 8; i++) {
                byte[] p = payload(i);
                MemorySegment.copy(p, 0, batch.buffer(i), ValueLayout.JAVA_BYTE, 0, p.length);
                batch.setBuffer(i, batch.buffer(i).asSlice(0, p.length));
                batch.setDestination(i, tx.family(), (InetSocketAddress) rx.getLocalAddress());
            }
            assertThat(tx.send(batch, 0, 8)).isEqualTo(8);
            Set<String> got = new HashSet<>();
            Waiter.until("eight datagrams arrive", Duration.ofSeconds(5), () -> {
                try {
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    InetSocketAddress from;
                    while ((from = (InetSocketAddress) rx.receive(buf.clear())) != null) {
                        assertThat(from).isEqualTo(tx.localAddress());
                        got.add(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return got.size() == 8;
            });
            assertThat(got).contains("datagram 0", "datagram 7");
        }
    }

    @Test
    void dualStackSocketSeesIpv4PeersAsIpv4AndPacketInfoGivesDestinationAndInterface() throws Exception {
        try (UdpSocket rx = UdpSocket.open(new InetSocketAddress(InetAddress.getByName("::"), 0));
                DatagramChannel tx4 = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(LO4, 0));
                DatagramChannel tx6 = DatagramChannel.open(StandardProtocolFamily.INET6)
                        .bind(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            rx.setPacketInfo(true);
            int port = rx.localAddress().getPort();
            tx4.send(ByteBuffer.wrap(payload(4)), new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port));
            MessageBatch batch = MessageBatch.withBuffers(4, 2048);
            byte[] addr = new byte[16];
            assertThat(rx.receive(batch, 1)).isEqualTo(1);
            assertThat(text(batch, 0)).isEqualTo("datagram 4");
            assertThat(batch.sourceAddress(0, addr, 0)).isEqualTo(4);
            assertThat(batch.packetInfoAddress(0, addr, 0)).isEqualTo(4);
            assertThat(Arrays.copyOf(addr, 4)).containsExactly(127, 0, 0, 2);
            assertThat(batch.packetInfoIfIndex(0)).as("lo").isEqualTo(1);

            tx6.send(ByteBuffer.wrap(payload(6)), new InetSocketAddress(InetAddress.getByName("::1"), port));
            assertThat(rx.receive(batch, 1)).isEqualTo(1);
            assertThat(text(batch, 0)).isEqualTo("datagram 6");
            assertThat(batch.sourceAddress(0, addr, 0)).isEqualTo(16);
            assertThat(InetAddress.getByAddress(addr)).isEqualTo(InetAddress.getByName("::1"));
            assertThat(batch.packetInfoAddress(0, addr, 0)).isEqualTo(16);
            assertThat(InetAddress.getByAddress(addr)).isEqualTo(InetAddress.getByName("::1"));
            assertThat(batch.packetInfoIfIndex(0)).isEqualTo(1);
        }
    }

    @Test
    void ipv4PacketInfo() throws Exception {
        try (UdpSocket rx = UdpSocket.open(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
                DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            rx.setPacketInfo(true);
            tx.send(ByteBuffer.wrap(payload(1)), new InetSocketAddress(InetAddress.getByName("127.0.0.3"), rx.localAddress().getPort()));
            MessageBatch batch = MessageBatch.withBuffers(2, 2048);
            assertThat(rx.receive(batch)).isEqualTo(1);
            byte[] addr = new byte[16];
            assertThat(batch.packetInfoAddress(0, addr, 0)).isEqualTo(4);
            assertThat(Arrays.copyOf(addr, 4)).containsExactly(127, 0, 0, 3);
            assertThat(batch.packetInfoIfIndex(0)).isEqualTo(1);
        }
    }

    @Test
    void aDatagramLargerThanItsSlotIsFlaggedTruncated() throws Exception {
        try (UdpSocket rx = UdpSocket.open(new InetSocketAddress(LO4, 0));
                DatagramChannel tx = DatagramChannel.open()) {
            tx.send(ByteBuffer.wrap(new byte[100]), rx.localAddress());
            MessageBatch batch = MessageBatch.withBuffers(1, 10);
            assertThat(rx.receive(batch)).isEqualTo(1);
            assertThat(batch.truncated(0)).isTrue();
            assertThat(batch.length(0)).isEqualTo(10);
        }
    }

    @Test
    void aDatagramTheKernelRefusesComesBackAsNegativeErrno() throws Exception {
        try (UdpSocket tx = UdpSocket.open(AF_INET)) {
            MessageBatch batch = MessageBatch.withBuffers(1, 16);
            batch.setDestination(0, AF_INET, new InetSocketAddress(InetAddress.getByName("255.255.255.255"), 9));
            assertThat(tx.send(batch, 0, 1)).as("broadcast without SO_BROADCAST").isEqualTo(-Errno.EACCES);
        }
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        UdpSocket rx = UdpSocket.open(new InetSocketAddress(LO4, 0));
        MessageBatch batch = MessageBatch.withBuffers(4, 2048);
        BlockedCall reader = BlockedCall.start(() -> rx.receive(batch));
        assertThat(reader.isDone()).as("still blocked").isFalse();
        rx.close();
        assertThat(reader.outcome(java.time.Duration.ofSeconds(5))).isInstanceOf(ClosedChannelException.class);
        assertThat(rx.isClosed()).isTrue();
    }

    @Test
    void socketOptions() throws Exception {
        try (UdpSocket s = UdpSocket.open(AF_INET)) {
            s.setReuseAddress(true);
            s.setReceiveBufferSize(65536, false);
            assertThat(s.receiveBufferSize()).isEqualTo(2 * 65536);
            s.setSendBufferSize(65536, false);
            assertThat(s.sendBufferSize()).isEqualTo(2 * 65536);
            assertThat(s.localAddress()).isNull();
            s.bind(new InetSocketAddress(LO4, 0));
            assertThat(s.toString()).startsWith("UdpSocket[AF_INET fd " + s.fd() + " 127.0.0.1:");
        }
    }

    @Test
    void optionsAfterCloseThrowClosedChannelInsteadOfTouchingAReusedNumber() throws Exception {
        UdpSocket s = UdpSocket.open(AF_INET);
        s.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.setReuseAddress(true))
                .isInstanceOf(ClosedChannelException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.receiveBufferSize())
                .isInstanceOf(ClosedChannelException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.bind(new InetSocketAddress(LO4, 0)))
                .isInstanceOf(ClosedChannelException.class);
    }
}
