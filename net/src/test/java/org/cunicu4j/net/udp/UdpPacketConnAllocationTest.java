package org.cunicu4j.net.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.api.Test;

/** The steady state of send and receive allocates nothing per packet. */
class UdpPacketConnAllocationTest {

    @Test
    void steadyStateSendAndReceiveAllocateAlmostNothing() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        InetSocketAddress lo = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdpPacketConn a = UdpPacketConn.open(lo); UdpPacketConn b = UdpPacketConn.open(lo)) {
            b.socket().setReceiveBufferSize(1 << 20, false);
            PacketBatch out = new PacketBatch(8, 256);
            PacketBatch in = new PacketBatch(8, 256);
            for (int i = 0; i < 8; i++) {
                out.buffer(i).clear().putLong(i).flip();
                out.setAddress(i, b.localAddress());
            }
            out.setCount(8);
            Runnable round = () -> {
                try {
                    a.send(out);
                    int got = 0;
                    while (got < 8) {
                        got += b.receive(in);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            for (int i = 0; i < 20_000; i++) {
                round.run();
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            int rounds = 2_000;
            for (int i = 0; i < rounds; i++) {
                round.run();
            }
            long perPacket = (mx.getCurrentThreadAllocatedBytes() - before) / (rounds * 8L);
            assertThat(perPacket).as("bytes allocated per packet (send + receive)").isLessThan(8);
        }
    }
}
