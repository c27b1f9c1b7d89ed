package org.cunicu4j.e2e.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.ByteOrder;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.Endpoint;
import org.cunicu4j.wireguard.conn.UdpBind;

/**
 * Datagram rate over loopback, side by side in one run: {@link UdpPacketConn} (recvmmsg and
 * sendmmsg on batches of 64, no copy) against the JDK's {@link DatagramChannel} (one
 * syscall per datagram), and the WireGuard device's default {@link UdpBind} (the same
 * sockets underneath, plus a classification of every datagram received and the
 * endpoint's address written into every slot sent). A sender thread floods for a fixed
 * time while the receiver counts; the figure is what arrived, per second, and the ratios.
 *
 * <p>Run from the repository root after {@code ./mvnw -B -q -pl cli,e2e -am package -DskipTests}:
 * <pre>
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp cli/target/cunicu4j.jar:e2e/target/classes org.cunicu4j.e2e.bench.UdpBatchBench [size=1400] [seconds=5] [passes=2]
 * </pre>
 */
public final class UdpBatchBench {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private UdpBatchBench() {}

    public static void main(String[] args) throws Exception {
        int size = 1400;
        int seconds = 5;
        int passes = 2;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "size" -> size = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "passes" -> passes = Math.max(2, Integer.parseInt(kv[1]));
                default -> throw new IllegalArgumentException("unknown argument " + a + " (size=N seconds=N passes=N)");
            }
        }
        System.out.printf(Locale.ROOT, "udp batch bench: %d-byte datagrams over loopback, %d s each (after 1 s warm-up), "
                + "best of passes 2..%d, %d CPUs, Java %s%n", size, seconds, passes, Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        double jdk = 0;
        double ours = 0;
        double bind = 0;
        for (int pass = 0; pass < passes; pass++) { // the first pass warms up; the best of the others is reported
            double j = datagramChannel(size, seconds);
            double o = packetConn(size, seconds);
            double b = udpBind(size, seconds);
            if (pass > 0) {
                jdk = Math.max(jdk, j);
                ours = Math.max(ours, o);
                bind = Math.max(bind, b);
            }
        }
        System.out.printf(Locale.ROOT, "DatagramChannel (1 datagram per syscall): %,.0f datagrams/s (%.2f Gbit/s)%n",
                jdk, jdk * size * 8 / 1e9);
        System.out.printf(Locale.ROOT, "UdpPacketConn (recvmmsg/sendmmsg, batch %d): %,.0f datagrams/s (%.2f Gbit/s)%n",
                UdpPacketConn.BATCH_SIZE, ours, ours * size * 8 / 1e9);
        System.out.printf(Locale.ROOT, "UdpBind (WireGuard transport datagrams, batch %d): %,.0f datagrams/s (%.2f Gbit/s)%n",
                UdpPacketConn.BATCH_SIZE, bind, bind * size * 8 / 1e9);
        System.out.printf(Locale.ROOT, "ratio UdpPacketConn / DatagramChannel: %.2f%n", ours / jdk);
        System.out.printf(Locale.ROOT, "ratio UdpBind / UdpPacketConn: %.2f%n", bind / ours);
    }

    /**
     * {@link UdpBind} to {@link UdpBind} over IPv4 loopback: {@link UdpBind#send} of batches
     * of WireGuard transport messages (type 4) to an endpoint, the receive function of the
     * IPv4 socket on the other side.
     */
    private static double udpBind(int size, int seconds) throws Exception {
        if (size < 32) {
            throw new IllegalArgumentException("a WireGuard transport message is at least 32 bytes, size=" + size);
        }
        try (UdpBind rx = new UdpBind(); UdpBind tx = new UdpBind()) {
            Bind.Opened opened = rx.open(0);
            tx.open(0);
            Endpoint to = tx.parseEndpoint("127.0.0.1:" + opened.port());
            int batchSize = UdpPacketConn.BATCH_SIZE;
            PacketBatch out = new PacketBatch(batchSize, size);
            for (int i = 0; i < batchSize; i++) {
                out.buffer(i).clear().order(ByteOrder.LITTLE_ENDIAN).putInt(0, 4).order(ByteOrder.BIG_ENDIAN).limit(size);
            }
            out.setCount(batchSize);
            Bind.ReceiveFunc v4 = opened.receivers().get(0);
            return measure(seconds, () -> {
                tx.send(out, to);
                return batchSize;
            }, () -> {
                PacketBatch in = new PacketBatch(batchSize, 2048);
                return () -> v4.receive(in);
            }, rx::close);
        }
    }

    private static double packetConn(int size, int seconds) throws Exception {
        try (UdpPacketConn rx = UdpPacketConn.open(LOOPBACK); UdpPacketConn tx = UdpPacketConn.open(LOOPBACK)) {
            bindSizedBuffers(rx.socket()); // as UdpBind's sockets, so the ratio compares like with like
            bindSizedBuffers(tx.socket());
            int batchSize = UdpPacketConn.BATCH_SIZE;
            PacketBatch out = new PacketBatch(batchSize, size);
            for (int i = 0; i < batchSize; i++) {
                out.buffer(i).clear().limit(size);
                out.setAddress(i, rx.localAddress());
            }
            out.setCount(batchSize);
            return measure(seconds, () -> tx.send(out), () -> {
                PacketBatch in = new PacketBatch(batchSize, 2048);
                return () -> rx.receive(in);
            }, rx::close);
        }
    }

    /** UdpBind's default buffers (7 MiB each way), forced when permitted, else asked for, as UdpBind does. */
    private static void bindSizedBuffers(org.cunicu4j.linux.socket.UdpSocket s) throws IOException {
        int bytes = org.cunicu4j.wireguard.conn.UdpBindOptions.DEFAULT_SOCKET_BUFFER_SIZE;
        try {
            s.setReceiveBufferSize(bytes, true);
            s.setSendBufferSize(bytes, true);
        } catch (org.cunicu4j.linux.LinuxException e) {
            s.setReceiveBufferSize(bytes, false);
            s.setSendBufferSize(bytes, false);
        }
    }

    private static double datagramChannel(int size, int seconds) throws Exception {
        try (DatagramChannel rx = DatagramChannel.open().bind(LOOPBACK);
                DatagramChannel tx = DatagramChannel.open().bind(LOOPBACK)) {
            rx.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            ByteBuffer out = ByteBuffer.allocateDirect(size);
            return measure(seconds, () -> {
                tx.send(out.clear(), to);
                return 1;
            }, () -> {
                ByteBuffer in = ByteBuffer.allocateDirect(2048);
                return () -> {
                    rx.receive(in.clear());
                    return 1;
                };
            }, () -> {
                try {
                    rx.close();
                } catch (IOException e) {
                    // closing
                }
            });
        }
    }

    private interface Io {
        int run() throws IOException;
    }

    private interface IoFactory {
        Io create();
    }

    /** Floods with {@code send} on one thread, counts {@code receive}s on another; returns received/s. */
    private static double measure(int seconds, Io send, IoFactory receiveFactory, Runnable closeReceiver)
            throws InterruptedException {
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong received = new AtomicLong();
        Io receive = receiveFactory.create();
        Thread receiver = Thread.ofPlatform().name("bench-rx").start(() -> {
            try {
                while (true) {
                    received.addAndGet(receive.run());
                }
            } catch (IOException e) {
                // closed: the run is over
            }
        });
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
        closeReceiver.run();
        receiver.join();
        return got / elapsed;
    }
}
