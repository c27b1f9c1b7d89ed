package org.cunicu4j.wireguard.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.junit.jupiter.api.Test;

/**
 * The steady state of {@link UdpBind#send}, a receive function (with foreign datagrams
 * interleaved and handed to a handler) and {@link Endpoint#matches} allocates nothing per
 * packet. (The STUN datagrams come from a connection of their own, so that the receiver
 * sees foreign datagrams interleaved; a {@code UdpPacketConn} keeps native twins of the last
 * two {@code PacketBatch}es a thread sent, so a thread alternating two batches is fine,
 * while one cycling through three or more rebinds them.)
 */
class UdpBindAllocationTest {

    @Test
    void steadyStateAllocatesAlmostNothingPerPacket() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong foreign = new AtomicLong();
        ForeignPacketHandler handler = (batch, slot, family) -> foreign.incrementAndGet();
        try (UdpBind a = new UdpBind(UdpBindOptions.defaults().withSocketBufferSize(1 << 20));
                UdpBind b = new UdpBind(UdpBindOptions.defaults().withForeignHandler(handler).withSocketBufferSize(1 << 20));
                UdpPacketConn stunSender = UdpPacketConn.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            a.open(0);
            Bind.Opened ob = b.open(0);
            Endpoint toB = a.parseEndpoint("127.0.0.1:" + ob.port());
            Endpoint fromA = b.parseEndpoint("127.0.0.1:" + a.port());
            Bind.ReceiveFunc r = ob.receivers().get(0);
            PacketBatch out = new PacketBatch(8, 256);
            PacketBatch stun = new PacketBatch(1, 64);
            PacketBatch in = new PacketBatch(16, 256);
            for (int i = 0; i < 8; i++) {
                UdpBindTest.putTransport(out.buffer(i), 64, i);
            }
            out.setCount(8);
            stun.buffer(0).put(UdpBindTest.STUN_BINDING).flip();
            stun.setAddress(0, new InetSocketAddress(InetAddress.getLoopbackAddress(), ob.port()));
            stun.setCount(1);
            int[] matched = new int[1];
            Runnable round = () -> {
                try {
                    stunSender.send(stun); // a foreign datagram first: the receiver compacts around it
                    a.send(out, toB);
                    int got = 0;
                    while (got < 8) {
                        int n = r.receive(in);
                        for (int i = 0; i < n; i++) {
                            if (fromA.matches(in, i)) {
                                matched[0]++;
                            }
                        }
                        got += n;
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            CompletableFuture<Void> watchdog = CompletableFuture.runAsync(b::close, CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS));
            try {
                for (int i = 0; i < 5_000; i++) {
                    round.run();
                }
                long best = Long.MAX_VALUE;
                int rounds = 2_000;
                for (int m = 0; m < 10 && best >= 8; m++) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < rounds; i++) {
                        round.run();
                    }
                    best = Math.min(best, (mx.getCurrentThreadAllocatedBytes() - before) / (rounds * 9L));
                }
                assertThat(best).as("bytes allocated per datagram (send + receive + match)").isLessThan(8);
            } finally {
                watchdog.cancel(false);
            }
            assertThat(foreign.get()).as("STUN datagrams handed over").isPositive();
            assertThat(matched[0]).isPositive();
            assertThat(b.counters().droppedForeign()).isZero();
        }
    }
}
