package org.cunicu4j.proxy.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.Test;

/**
 * The copy loops of one {@link UserspacePeerProxy} against a stand-in WireGuard (a UDP
 * socket on the loopback) and a stand-in ICE connection: both directions copy, datagrams
 * not from WireGuard's port are dropped and counted, nothing is allocated per datagram in
 * steady state, and closing ends both loops.
 */
class UserspacePeerProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void copiesBothWaysWithoutAllocatingAndDropsStrangers() throws Exception {
        try (DatagramChannel wg = DatagramChannel.open();
                DatagramChannel stranger = DatagramChannel.open()) {
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            wg.bind(new InetSocketAddress(lo, 0));
            stranger.bind(new InetSocketAddress(lo, 0));
            int wgPort = ((InetSocketAddress) wg.getLocalAddress()).getPort();
            StubControl control = new StubControl(wgPort);
            StubIce ice = new StubIce();
            Key peer = Key.generatePrivate().publicKey();
            UserspacePeerProxy proxy = UserspacePeerProxy.open(control, wgPort, peer, ice, p -> { });
            try {
                proxy.selectedPairChanged(new org.cunicu4j.ice.IceCandidatePair(candidate(), candidate()));
                assertThat(control.endpoints).containsExactly(proxy.loopbackAddress());
                InetSocketAddress target = proxy.loopbackAddress();
                ByteBuffer out = ByteBuffer.allocateDirect(200);
                ByteBuffer in = ByteBuffer.allocateDirect(2048);

                // a stranger's datagram is not WireGuard's: dropped and counted
                stranger.send(out.clear().limit(100), target);
                Waiter.until("the stranger's datagram is dropped", WAIT, () -> proxy.stats().dropped() == 1);

                // steady state: once the JIT has compiled the loops (and the socket calls under them), a
                // window of 2000 datagrams each way allocates nothing on either loop thread
                long total = 0;
                long[] window = null;
                for (int w = 0; w < 40; w++) {
                    long[] before = allocated();
                    roundTrips(wg, ice, target, out, in, 2000);
                    total += 2000;
                    long[] after = allocated();
                    window = new long[] {after[0] - before[0], after[1] - before[1]};
                    if (window[0] < 512 && window[1] < 512) {
                        break;
                    }
                }
                assertThat(window[0]).as("bytes allocated by the WireGuard → ICE loop in the last window of 2000 datagrams").isLessThan(512);
                assertThat(window[1]).as("bytes allocated by the ICE → WireGuard loop in the last window of 2000 datagrams").isLessThan(512);
                long sentEachWay = total;
                Waiter.until("every datagram counted each way", WAIT,
                        () -> proxy.stats().txPackets() >= sentEachWay && proxy.stats().rxPackets() >= sentEachWay);
                ProxyStats s = proxy.stats();
                assertThat(s.txPackets()).isEqualTo(total);
                assertThat(s.txBytes()).isEqualTo(total * 100L);
                assertThat(s.rxPackets()).isEqualTo(total);
                assertThat(s.rxBytes()).isEqualTo(total * 64L);
                assertThat(s.dropped()).isEqualTo(1);
                assertThat(ice.sent.get()).isEqualTo(total);
            } finally {
                proxy.close();
            }
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.startsWith("userproxy-"))).as("both loops ended").isEmpty();
        }
    }

    @Test
    void followsWireGuardToANewListenPort() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        DatagramChannel wg = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
        int firstPort = ((InetSocketAddress) wg.getLocalAddress()).getPort();
        StubControl control = new StubControl(firstPort);
        StubIce ice = new StubIce();
        UserspacePeerProxy proxy = UserspacePeerProxy.open(control, firstPort, Key.generatePrivate().publicKey(), ice, p -> { });
        ByteBuffer out = ByteBuffer.allocateDirect(200);
        ByteBuffer in = ByteBuffer.allocateDirect(2048);
        try {
            InetSocketAddress target = proxy.loopbackAddress();
            roundTrips(wg, ice, target, out, in, 3);

            // WireGuard restarts on another port; the owner's watcher reports it
            DatagramChannel wg2 = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
            wg.close();
            wg = wg2;
            int secondPort = ((InetSocketAddress) wg.getLocalAddress()).getPort();
            assertThat(secondPort).isNotEqualTo(firstPort);
            proxy.listenPortChanged(secondPort);
            assertThat(proxy.listenPort()).isEqualTo(secondPort);
            roundTrips(wg, ice, target, out, in, 3);

            // and once more, learnt this time from the control's status on a selected pair
            DatagramChannel wg3 = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
            wg.close();
            wg = wg3;
            int thirdPort = ((InetSocketAddress) wg.getLocalAddress()).getPort();
            control.listenPort = thirdPort;
            proxy.selectedPairChanged(new org.cunicu4j.ice.IceCandidatePair(candidate(), candidate()));
            assertThat(proxy.listenPort()).isEqualTo(thirdPort);
            roundTrips(wg, ice, target, out, in, 3);

            // a status without a port (0: not listening) changes nothing
            control.listenPort = 0;
            proxy.selectedPairChanged(new org.cunicu4j.ice.IceCandidatePair(candidate(), candidate()));
            assertThat(proxy.listenPort()).isEqualTo(thirdPort);

            // a loop counts a datagram after its send returns, which races with the receiver here
            Waiter.until("9 datagrams counted each way", WAIT,
                    () -> proxy.stats().txPackets() >= 9 && proxy.stats().rxPackets() >= 9);
            ProxyStats s = proxy.stats();
            assertThat(s.txPackets()).isEqualTo(9);
            assertThat(s.rxPackets()).isEqualTo(9);
            assertThat(s.dropped()).isZero();
        } finally {
            proxy.close();
            wg.close();
        }
    }

    @Test
    void aBurstMixingStrangersAndWireGuardForwardsExactlyWireGuardsBytes() throws Exception {
        try (DatagramChannel wg = DatagramChannel.open();
                DatagramChannel stranger = DatagramChannel.open()) {
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            wg.bind(new InetSocketAddress(lo, 0));
            stranger.bind(new InetSocketAddress(lo, 0));
            int wgPort = ((InetSocketAddress) wg.getLocalAddress()).getPort();
            StubIce ice = new StubIce();
            UserspacePeerProxy proxy = UserspacePeerProxy.open(new StubControl(wgPort), wgPort, Key.generatePrivate().publicKey(), ice, p -> { });
            try {
                InetSocketAddress target = proxy.loopbackAddress();
                // hold the out loop in its send so the burst waits in the socket and is read as one batch
                ice.hold = true;
                wg.send(ByteBuffer.allocate(10), target);
                Waiter.until("the out loop is held in its send", WAIT, () -> ice.holding);
                stranger.send(ByteBuffer.allocate(300), target);
                wg.send(ByteBuffer.allocate(120), target);
                stranger.send(ByteBuffer.allocate(301), target);
                wg.send(ByteBuffer.allocate(130), target);
                ice.hold = false;
                Waiter.until("the ICE side got the three WireGuard datagrams", WAIT, () -> ice.sent.get() == 3);
                Waiter.until("both strangers are dropped", WAIT, () -> proxy.stats().dropped() == 2);
                assertThat(ice.sentBytes.get()).isEqualTo(10 + 120 + 130);
                assertThat(ice.sends.get()).as("the burst went out in one send").isEqualTo(2);
                Waiter.until("the three counted", WAIT, () -> proxy.stats().txPackets() >= 3);
                ProxyStats s = proxy.stats();
                assertThat(s.txPackets()).isEqualTo(3);
                assertThat(s.txBytes()).isEqualTo(10 + 120 + 130);
            } finally {
                proxy.close();
            }
        }
    }

    /** n datagrams WireGuard → proxy → ICE and n ICE → proxy → WireGuard, one after another. */
    private static void roundTrips(DatagramChannel wg, StubIce ice, InetSocketAddress target, ByteBuffer out,
            ByteBuffer in, int n) throws IOException {
        long sentBefore = ice.sent.get();
        wg.configureBlocking(false);
        try (Selector sel = Selector.open()) {
            wg.register(sel, SelectionKey.OP_READ);
            for (int i = 0; i < n; i++) {
                wg.send(out.clear().limit(100), target);
                ice.allow.incrementAndGet();
                in.clear();
                while (wg.receive(in) == null) {
                    assertThat(sel.select(WAIT.toMillis())).as("WireGuard's socket got datagram %d of %d within %s", i, n, WAIT).isPositive();
                    sel.selectedKeys().clear();
                }
                assertThat(in.position()).isEqualTo(64);
            }
        }
        Waiter.until("the ICE side got every datagram", WAIT, () -> ice.sent.get() == sentBefore + n);
    }

    /** Bytes allocated so far by the out and the in loop. */
    private static long[] allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] r = new long[2];
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("userproxy-out ")) {
                r[0] = mx.getThreadAllocatedBytes(t.threadId());
            } else if (t.getName().startsWith("userproxy-in ")) {
                r[1] = mx.getThreadAllocatedBytes(t.threadId());
            }
        }
        return r;
    }

    private static org.cunicu4j.ice.Candidate candidate() {
        return new org.cunicu4j.ice.Candidate("1", 1, 100, new InetSocketAddress(InetAddress.getLoopbackAddress(), 1),
                org.cunicu4j.ice.CandidateType.HOST, null, null);
    }

    /**
     * Counts sends (a send parks while {@link #hold} is set); receive hands out one 64-byte
     * datagram per {@link #allow} step, parking (no allocation) in between.
     */
    private static final class StubIce implements PacketConn {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong sentBytes = new AtomicLong();
        final AtomicLong sends = new AtomicLong();
        final AtomicLong allow = new AtomicLong();
        volatile boolean hold;
        volatile boolean holding;
        private long given;
        private volatile boolean closed;

        @Override
        public int receive(PacketBatch batch) throws IOException {
            while (given >= allow.get()) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                LockSupport.parkNanos(50_000);
            }
            given++;
            batch.buffer(0).clear().limit(64);
            batch.setCount(1);
            return 1;
        }

        @Override
        public int send(PacketBatch batch) {
            while (hold && !closed) {
                holding = true;
                LockSupport.parkNanos(50_000);
            }
            holding = false;
            long bytes = 0;
            for (int i = 0; i < batch.count(); i++) {
                bytes += batch.buffer(i).remaining();
            }
            sentBytes.addAndGet(bytes);
            sends.incrementAndGet();
            sent.addAndGet(batch.count());
            return batch.count();
        }

        @Override
        public InetSocketAddress localAddress() {
            return null;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class StubControl implements WireGuardControl {
        final List<InetSocketAddress> endpoints = new CopyOnWriteArrayList<>();
        volatile int listenPort;

        StubControl(int listenPort) {
            this.listenPort = listenPort;
        }

        @Override
        public String name() {
            return "stub";
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
