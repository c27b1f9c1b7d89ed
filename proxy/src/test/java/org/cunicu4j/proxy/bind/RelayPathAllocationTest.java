package org.cunicu4j.proxy.bind;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.conn.Bind;
import org.junit.jupiter.api.Test;

/**
 * The relay path into the device allocates nothing per datagram in steady state: a
 * {@link RelayEndpoint}'s pump (connection → classify → the Bind's relay queue) and the
 * Bind's relay receive function (queue → the device's batch), over a {@link MemoryPacketConn}.
 *
 * <p>Bursts of {@value #BURST} datagrams: the test thread sends a burst (its copies are the
 * MemoryPacketConn's, on the test thread), waits until the pump injected all of it, then
 * lets the receiving thread take it in one call (so it never blocks and never contends for
 * the queue's lock). A thread that blocks allocates a lock-queue node per wait (the JDK's
 * conditions do), so the pump is allowed a few nodes per window; a single object per
 * datagram would be {@value #BURST} × 16 bytes or more.
 */
class RelayPathAllocationTest {
    private static final int BURST = 200;
    private static final int WINDOW_BURSTS = 2;
    private static final long LIMIT = 512;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void pumpAndRelayReceiveAllocateNothingPerDatagram() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40011);
        InetSocketAddress b = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40012);
        MemoryPacketConn[] link = MemoryPacketConn.pair(a, b);
        try (ProxyBind bind = new ProxyBind()) {
            Bind.ReceiveFunc relayRx = bind.open(0).receivers().getLast();
            RelayEndpoint relay = bind.relay(link[0], () -> b);
            AtomicLong allowed = new AtomicLong();
            AtomicLong taken = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread rx = Thread.ofPlatform().daemon().name("relaytest-rx").start(() -> takeLoop(relayRx, allowed, taken, failure));
            try {
                PacketBatch out = new PacketBatch(BURST, 256);
                for (int i = 0; i < BURST; i++) {
                    ProxyBindTest.put(out, i, ProxyBindTest.transport(48 + i % 64), a);
                }
                out.setCount(BURST);
                long sent = 0;
                long[] window = null;
                for (int w = 0; w < 60; w++) {
                    long[] before = allocated(relay.pumpThread(), rx);
                    for (int k = 0; k < WINDOW_BURSTS; k++) {
                        link[1].send(out);
                        sent += BURST;
                        long expect = sent;
                        Waiter.until("the pump injected the burst", WAIT, () -> relay.stats().rxPackets() == expect);
                        allowed.set(expect);
                        Waiter.until("the receive function took the burst", WAIT, () -> taken.get() == expect || failure.get() != null);
                        assertThat(failure.get()).isNull();
                    }
                    long[] after = allocated(relay.pumpThread(), rx);
                    window = new long[] {after[0] - before[0], after[1] - before[1]};
                    if (window[0] < LIMIT && window[1] < LIMIT) {
                        break;
                    }
                }
                assertThat(window[0]).as("bytes the relay pump allocated in the last window of %d datagrams", WINDOW_BURSTS * BURST).isLessThan(LIMIT);
                assertThat(window[1]).as("bytes the relay receive function allocated in the last window of %d datagrams", WINDOW_BURSTS * BURST).isLessThan(LIMIT);
                assertThat(relay.stats().dropped()).isZero();
                assertThat(bind.relayDropped()).isZero();
                assertThat(taken.get()).isEqualTo(sent);
            } finally {
                relay.close();
                bind.close();
                allowed.set(Long.MAX_VALUE); // the receiving thread calls the closed receive function and ends
                rx.join(5000);
            }
            assertThat(rx.isAlive()).isFalse();
        }
    }

    /** Takes from the relay receive function whenever the test allows more than it took; parks (no allocation) otherwise. */
    private static void takeLoop(Bind.ReceiveFunc relayRx, AtomicLong allowed, AtomicLong taken, AtomicReference<Throwable> failure) {
        PacketBatch in = new PacketBatch(ProxyBind.RELAY_QUEUE_SLOTS, 2048);
        try {
            while (true) {
                if (taken.get() < allowed.get()) {
                    int n = relayRx.receive(in);
                    for (int i = 0; i < n; i++) {
                        if (in.buffer(i).get(0) != 4 || !ProxyBind.isSynthetic(in, i)) {
                            throw new AssertionError("slot " + i + " is not a relayed transport message");
                        }
                    }
                    taken.addAndGet(n);
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
        } catch (ClosedChannelException e) {
            // the Bind closed: done
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Bytes allocated so far by the relay pump and by {@code rx}. */
    private static long[] allocated(Thread pump, Thread rx) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return new long[] {mx.getThreadAllocatedBytes(pump.threadId()), mx.getThreadAllocatedBytes(rx.threadId())};
    }
}
