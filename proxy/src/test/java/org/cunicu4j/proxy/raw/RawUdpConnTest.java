package org.cunicu4j.proxy.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.socket.SocketConstants;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RawUdpConn} alone on a lab namespace's loopback: batches of STUN datagrams in
 * (source addresses and ports intact) and out (from WireGuard's port, accepted by the
 * receiving kernel's UDP, so the checksums hold); and the per-datagram work of its receive
 * and send paths ({@link RawUdpConn#accept}, {@link RawUdpConn#build} with the IPv4 route
 * lookup) allocates nothing once compiled, measured with the JVM's per-thread allocation
 * counter after a warm-up long enough for C2 (the FFM downcalls allocate until then). After
 * a port change, what is still queued for the old port is counted stale, not malformed; a
 * failed change keeps the old port.
 */
@RequiresRoot
@RequiresTools("ip")
class RawUdpConnTest {
    private static final int N = 64;
    /** How long {@link #steadyAllocation} retries while the JIT lags behind (a loaded machine). */
    private static final Duration STEADY_DEADLINE = Duration.ofSeconds(30);
    private static Lab lab;
    private static Host host;

    @BeforeAll
    static void openLab() {
        lab = Lab.open();
        host = lab.host("conn");
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    private static InetAddress loopback(int family) throws Exception {
        return InetAddress.getByName(family == AF_INET ? "127.0.0.1" : "::1");
    }

    private static ByteBuffer stun(int id) {
        return ByteBuffer.allocateDirect(20).putShort((short) 1).putShort((short) 0).putInt(0x2112A442)
                .putInt(id).putInt(0).putInt(0).flip();
    }

    @ParameterizedTest(name = "family {0}")
    @ValueSource(ints = {SocketConstants.AF_INET, SocketConstants.AF_INET6})
    void batchesInAndOutOverTheLoopback(int family) throws Exception {
        NetNs.call(host.netns(), () -> {
            int port = 41000 + family;
            InetAddress lo = loopback(family);
            try (RawUdpConn conn = RawUdpConn.open(family, port, 0, "test");
                    DatagramChannel client = DatagramChannel.open()) {
                client.bind(new InetSocketAddress(lo, 0));
                InetSocketAddress clientAddress = (InetSocketAddress) client.getLocalAddress();
                CopyOnWriteArrayList<String> got = new CopyOnWriteArrayList<>();
                Thread reader = Thread.ofPlatform().name("raw-conn-reader").start(() -> {
                    PacketBatch batch = new PacketBatch(8, 2048);
                    try {
                        while (true) {
                            int n = conn.receive(batch);
                            for (int i = 0; i < n; i++) {
                                got.add(batch.address(i) + " " + batch.buffer(i).getInt(8) + " " + batch.buffer(i).remaining());
                            }
                        }
                    } catch (ClosedChannelException e) {
                        // closed: done
                    } catch (Exception e) {
                        got.add(e.toString());
                    }
                });
                for (int i = 0; i < N; i++) {
                    client.send(stun(i), new InetSocketAddress(lo, port));
                }
                Waiter.until(N + " datagrams read", Duration.ofSeconds(10), () -> got.size() >= N);
                for (int i = 0; i < N; i++) {
                    assertThat(got.get(i)).isEqualTo(clientAddress + " " + i + " 20");
                }
                assertThat(conn.stats().delivered()).isEqualTo(N);
                assertThat(conn.stats().receiveDrops()).isZero();

                PacketBatch out = new PacketBatch(N, 2048);
                for (int i = 0; i < N; i++) {
                    out.buffer(i).clear().put(stun(1000 + i)).flip();
                    out.setAddress(i, clientAddress);
                }
                out.setCount(N);
                assertThat(conn.send(out)).isEqualTo(N);
                client.configureBlocking(false);
                ByteBuffer in = ByteBuffer.allocate(64);
                int[] received = new int[1];
                Waiter.until(N + " datagrams at the client", Duration.ofSeconds(10), () -> {
                    try {
                        InetSocketAddress from;
                        while ((from = (InetSocketAddress) client.receive(in.clear())) != null) {
                            assertThat(from).isEqualTo(new InetSocketAddress(lo, port));
                            assertThat(in.position()).isEqualTo(20);
                            assertThat(in.getInt(8)).isEqualTo(1000 + received[0]);
                            received[0]++;
                        }
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                    return received[0] == N;
                });
                assertThat(conn.stats().sent()).as("the self-test is not run here").isEqualTo(N);
                conn.close();
                reader.join(5000);
                assertThat(reader.isAlive()).isFalse();
            }
            return null;
        });
    }

    @ParameterizedTest(name = "family {0}")
    @ValueSource(ints = {SocketConstants.AF_INET, SocketConstants.AF_INET6})
    void afterAPortChangeWhatIsStillQueuedForTheOldPortIsStaleNotMalformed(int family) throws Exception {
        NetNs.call(host.netns(), () -> {
            int oldPort = 43000 + family;
            int newPort = oldPort + 100;
            InetAddress lo = loopback(family);
            byte[] loBytes = lo.getAddress();
            byte[] source = new byte[16];
            System.arraycopy(loBytes, 0, source, 0, loBytes.length);
            ByteBuffer packet = ByteBuffer.allocateDirect(2048);
            PacketBatch batch = new PacketBatch(1, 2048);
            RawUdpConn conn = RawUdpConn.open(family, oldPort, 0, "test");
            try {
                conn.setListenPort(newPort);
                assertThat(conn.listenPort()).isEqualTo(newPort);
                assertThat(conn.localAddress().getPort()).isEqualTo(newPort);

                assertThat(conn.accept(packet, forge(family, packet, loBytes, oldPort), source, batch, 0))
                        .as("queued for the old port before the change").isZero();
                assertThat(conn.accept(packet, forge(family, packet, loBytes, newPort), source, batch, 0))
                        .as("to the new port").isEqualTo(1);
                assertThat(conn.accept(packet, forge(family, packet, loBytes, oldPort + 1), source, batch, 0))
                        .as("to a port never ours").isZero();
                RawConnStats stats = conn.stats();
                assertThat(stats.dropped(RawDrop.STALE_PORT)).as(stats.toString()).isEqualTo(1);
                assertThat(stats.dropped(RawDrop.WRONG_PORT)).as(stats.toString()).isEqualTo(1);
                assertThat(stats.receiveDrops()).as("a stale datagram is no malformed one: " + stats).isEqualTo(1);
                assertThat(stats.delivered()).isEqualTo(1);
            } finally {
                conn.close();
            }
            assertThatThrownBy(() -> conn.setListenPort(newPort + 1)).isInstanceOf(ClosedChannelException.class);
            assertThat(conn.listenPort()).as("a failed change leaves the port as it was").isEqualTo(newPort);
            assertThat(conn.localAddress().getPort()).isEqualTo(newPort);
            return null;
        });
    }

    /**
     * Bytes allocated by {@code measured} runs of {@code op} after {@code warm} runs to let C2
     * compile it (the FFM downcalls allocate until then). On a loaded machine the compiler
     * threads may lag: warm-up and measurement repeat, up to {@link #STEADY_DEADLINE}, until a
     * measurement allocates nothing; the last measurement is returned. Code that allocates per
     * call in its compiled form allocates in every round.
     */
    private static long steadyAllocation(int warm, int measured, Runnable op) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + STEADY_DEADLINE.toNanos();
        while (true) {
            for (int i = 0; i < warm; i++) {
                op.run();
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < measured; i++) {
                op.run();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated < 256 || System.nanoTime() - deadline > 0) {
                return allocated;
            }
        }
    }

    /** A STUN datagram from {@code lo} port 5555 to {@code lo} port {@code port} as the family's raw socket reads it. */
    private static int forge(int family, ByteBuffer packet, byte[] lo, int port) {
        ByteBuffer payload = stun(port);
        return family == AF_INET
                ? UdpHeaders.writeIpv4(packet, lo, lo, 5555, port, payload, 0, 20)
                : UdpHeaders.writeUdp6(packet, lo, lo, 5555, port, payload, 0, 20);
    }

    @ParameterizedTest(name = "family {0}")
    @ValueSource(ints = {SocketConstants.AF_INET, SocketConstants.AF_INET6})
    void acceptingAndBuildingAllocateNothingOnceCompiled(int family) throws Exception {
        NetNs.call(host.netns(), () -> {
            int port = 42000 + family;
            InetAddress lo = loopback(family);
            byte[] loBytes = lo.getAddress();
            try (RawUdpConn conn = RawUdpConn.open(family, port, 0, "test")) {
                ByteBuffer packet = ByteBuffer.allocateDirect(2048);
                ByteBuffer payload = stun(7);
                int len = family == AF_INET
                        ? UdpHeaders.writeIpv4(packet, loBytes, loBytes, 5555, port, payload, 0, 20)
                        : UdpHeaders.writeUdp6(packet, loBytes, loBytes, 5555, port, payload, 0, 20);
                packet.clear();
                byte[] source = new byte[16];
                System.arraycopy(loBytes, 0, source, 0, loBytes.length);
                PacketBatch batch = new PacketBatch(1, 2048);
                long[] calls = new long[2]; // accepted, delivered
                long accepting = steadyAllocation(300_000, 10_000, () -> {
                    calls[0]++;
                    calls[1] += conn.accept(packet, len, source, batch, 0);
                });
                assertThat(calls[1]).as("every one delivered").isEqualTo(calls[0]);
                assertThat(batch.address(0)).isEqualTo(new InetSocketAddress(lo, 5555));
                assertThat(accepting).as("bytes allocated accepting 10000 datagrams").isLessThan(256);

                PacketBatch out = new PacketBatch(1, 2048);
                out.buffer(0).clear().put(stun(9)).flip();
                out.setAddress(0, new InetSocketAddress(lo, 5555));
                int warm = family == AF_INET ? 60_000 : 300_000; // IPv4: three system calls per route lookup
                int[] built = new int[1];
                long building = steadyAllocation(warm, 1000, () -> built[0] = conn.build(out, 0));
                assertThat(built[0]).isEqualTo(family == AF_INET ? 48 : 28);
                if (family == AF_INET) {
                    byte[] src = new byte[4];
                    conn.sendBuffer().get(12, src);
                    assertThat(src).as("the route's source address in the header").isEqualTo(loBytes);
                }
                assertThat(building).as("bytes allocated building 1000 datagrams").isLessThan(256);
            }
            return null;
        });
    }
}
