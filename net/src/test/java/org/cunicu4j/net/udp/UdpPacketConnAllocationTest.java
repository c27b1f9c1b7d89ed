package org.cunicu4j.net.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.api.Test;

/** The steady state of send and receive allocates nothing per packet. */
class UdpPacketConnAllocationTest {
    private static final long ROUND_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);

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
                    long deadline = System.nanoTime() + ROUND_DEADLINE_NANOS;
                    int got = 0;
                    while (got < 8) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("only " + got + " of 8 datagrams arrived within 5 s");
                        }
                        got += b.receive(in);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            // Should a datagram be lost, receive would block for good: close b then, which wakes it.
            CompletableFuture<Void> watchdog = CompletableFuture.runAsync(b::close,
                    CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS));
            try {
                for (int i = 0; i < 10_000; i++) {
                    round.run();
                }
                // Best of several measurements, so that a stray JIT or GC event in one does not fail the test.
                long best = Long.MAX_VALUE;
                int rounds = 2_000;
                for (int m = 0; m < 10 && best >= 8; m++) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < rounds; i++) {
                        round.run();
                    }
                    best = Math.min(best, (mx.getCurrentThreadAllocatedBytes() - before) / (rounds * 8L));
                }
                assertThat(best).as("bytes allocated per packet (send + receive)").isLessThan(8);
            } finally {
                watchdog.cancel(false);
            }
        }
    }
}
