package org.cunicu4j.e2e.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;

/**
 * What the {@link UdpMux} costs on WireGuard's data path. Over loopback, one sender floods
 * WireGuard-shaped transport datagrams at a port read three ways in one run: a bare
 * {@link UdpPacketConn} receive loop (the baseline), a mux handing every datagram to a
 * foreign handler (the shared-port WireGuard case), and a mux routing them by the claimed
 * remote address to an agent's {@link MuxedConn}, drained by another thread (one copy
 * into the agent's ring). Then, without syscalls, the nanoseconds of one
 * {@link UdpMux#dispatch} to a foreign handler.
 *
 * <p>Run from the repository root after {@code ./mvnw -B -q -pl cli,e2e -am package -DskipTests}:
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp cli/target/cunicu4j.jar:e2e/target/classes org.cunicu4j.e2e.bench.UdpMuxBench [size=1400] [seconds=5]
 * </pre>
 */
public final class UdpMuxBench {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private UdpMuxBench() {}

    public static void main(String[] args) throws Exception {
        int size = 1400;
        int seconds = 5;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "size" -> size = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a + " (size=N seconds=N)");
            }
        }
        System.out.printf(Locale.ROOT, "udp mux bench: %d-byte WireGuard-shaped datagrams over loopback, %d s each "
                + "(after 1 s warm-up), %d CPUs, Java %s%n", size, seconds, Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        double bare = 0;
        double foreign = 0;
        double agent = 0;
        for (int pass = 0; pass < 2; pass++) { // two passes: the second is reported
            bare = bare(size, seconds);
            foreign = foreign(size, seconds);
            agent = agent(size, seconds);
        }
        System.out.printf(Locale.ROOT, "bare UdpPacketConn receive loop:        %,12.0f datagrams/s%n", bare);
        System.out.printf(Locale.ROOT, "UdpMux -> foreign handler:              %,12.0f datagrams/s (%.2f of bare)%n",
                foreign, foreign / bare);
        System.out.printf(Locale.ROOT, "UdpMux -> agent conn (claimed address): %,12.0f datagrams/s (%.2f of bare)%n",
                agent, agent / bare);
        System.out.printf(Locale.ROOT, "dispatch to a foreign handler, no syscalls: %.1f ns/datagram%n", dispatchNanos(size));
    }

    private static PacketBatch flood(int size, InetSocketAddress to) {
        int n = UdpPacketConn.BATCH_SIZE;
        PacketBatch out = new PacketBatch(n, size);
        for (int i = 0; i < n; i++) {
            ByteBuffer b = out.buffer(i).clear().order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0, 4).putInt(4, 0x01020304).limit(size);
            b.order(ByteOrder.BIG_ENDIAN);
            out.setAddress(i, to);
        }
        out.setCount(n);
        return out;
    }

    private static double bare(int size, int seconds) throws Exception {
        try (UdpPacketConn rx = UdpPacketConn.open(LOOPBACK); UdpPacketConn tx = UdpPacketConn.open(LOOPBACK)) {
            rx.socket().setReceiveBufferSize(8 << 20, true);
            PacketBatch out = flood(size, rx.localAddress());
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofPlatform().name("bench-rx").start(() -> {
                PacketBatch in = new PacketBatch(32, 9216);
                try {
                    while (true) {
                        received.addAndGet(rx.receive(in));
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            double rate = measure(seconds, () -> tx.send(out), received);
            rx.close();
            reader.join();
            return rate;
        }
    }

    private static double foreign(int size, int seconds) throws Exception {
        UdpPacketConn rx = UdpPacketConn.open(LOOPBACK);
        rx.socket().setReceiveBufferSize(8 << 20, true);
        AtomicLong received = new AtomicLong();
        long[] local = new long[1];
        try (UdpMux mux = UdpMux.builder(rx).foreign((b, s) -> {
                    if ((++local[0] & 63) == 0) {
                        received.addAndGet(64);
                    }
                }).start();
                UdpPacketConn tx = UdpPacketConn.open(LOOPBACK)) {
            mux.connFor("benchUfrag");
            PacketBatch out = flood(size, rx.localAddress());
            return measure(seconds, () -> tx.send(out), received);
        }
    }

    private static double agent(int size, int seconds) throws Exception {
        UdpPacketConn rx = UdpPacketConn.open(LOOPBACK);
        rx.socket().setReceiveBufferSize(8 << 20, true);
        AtomicLong received = new AtomicLong();
        try (UdpMux mux = UdpMux.builder(rx).queue(1024, 2048).start();
                UdpPacketConn tx = UdpPacketConn.open(LOOPBACK)) {
            MuxedConn conn = mux.connFor("benchUfrag");
            // claim the sender's address the way a peer's check does
            PacketBatch check = new PacketBatch(1, 512);
            check.buffer(0).clear().put(StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                    .username("benchUfrag:peer").build()).flip();
            check.setAddress(0, rx.localAddress());
            check.setCount(1);
            tx.send(check);
            PacketBatch in = new PacketBatch(64, 2048);
            conn.receive(in);
            Thread drainer = Thread.ofPlatform().name("bench-agent").start(() -> {
                try {
                    while (true) {
                        received.addAndGet(conn.receive(in));
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            PacketBatch out = flood(Math.min(size, 2048), rx.localAddress());
            double rate = measure(seconds, () -> tx.send(out), received);
            mux.close();
            drainer.join();
            return rate;
        }
    }

    private static double dispatchNanos(int size) {
        long[] count = new long[1];
        try (UdpMux mux = UdpMux.builder(new NullConn()).foreign((b, s) -> count[0]++).fed()) {
            PacketBatch batch = flood(size, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 20; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < 100_000; i++) {
                    mux.dispatch(batch, i & 63);
                }
                best = Math.min(best, (System.nanoTime() - start) / 100_000.0);
            }
            if (count[0] == 0) {
                throw new IllegalStateException("nothing dispatched");
            }
            return best;
        }
    }

    private interface Send {
        int run() throws IOException;
    }

    private static double measure(int seconds, Send send, AtomicLong received) throws InterruptedException {
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = Thread.ofPlatform().name("bench-tx").start(() -> {
            try {
                while (sending.get()) {
                    send.run();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1000); // warm-up period of the benchmark, not synchronisation
        long start = System.nanoTime();
        long before = received.get();
        Thread.sleep(seconds * 1000L); // the measured period
        long got = received.get() - before;
        double elapsed = (System.nanoTime() - start) / 1e9;
        sending.set(false);
        sender.join();
        return got / elapsed;
    }

    /** A conn that is never read (the mux is fed) and drops what is sent. */
    private static final class NullConn implements org.cunicu4j.net.PacketConn {
        @Override
        public int receive(PacketBatch batch) throws IOException {
            throw new java.nio.channels.ClosedChannelException();
        }

        @Override
        public int send(PacketBatch batch) {
            return batch.count();
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        }

        @Override
        public void close() {}
    }
}
