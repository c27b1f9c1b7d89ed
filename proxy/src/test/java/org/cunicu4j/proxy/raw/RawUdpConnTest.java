package org.cunicu4j.proxy.raw;

import static org.assertj.core.api.Assertions.assertThat;
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
 * counter after a warm-up long enough for C2 (the FFM downcalls allocate until then).
 */
@RequiresRoot
@RequiresTools("ip")
class RawUdpConnTest {
    private static final int N = 64;
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
    void acceptingAndBuildingAllocateNothingOnceCompiled(int family) throws Exception {
        NetNs.call(host.netns(), () -> {
            int port = 42000 + family;
            InetAddress lo = loopback(family);
            byte[] loBytes = lo.getAddress();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
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
                for (int i = 0; i < 300_000; i++) {
                    conn.accept(packet, len, source, batch, 0);
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                int delivered = 0;
                for (int i = 0; i < 10_000; i++) {
                    delivered += conn.accept(packet, len, source, batch, 0);
                }
                long accepting = threads.getCurrentThreadAllocatedBytes() - before;
                assertThat(delivered).isEqualTo(10_000);
                assertThat(batch.address(0)).isEqualTo(new InetSocketAddress(lo, 5555));
                assertThat(accepting).as("bytes allocated accepting 10000 datagrams").isLessThan(256);

                PacketBatch out = new PacketBatch(1, 2048);
                out.buffer(0).clear().put(stun(9)).flip();
                out.setAddress(0, new InetSocketAddress(lo, 5555));
                int warm = family == AF_INET ? 60_000 : 300_000; // IPv4: three system calls per route lookup
                for (int i = 0; i < warm; i++) {
                    conn.build(out, 0);
                }
                before = threads.getCurrentThreadAllocatedBytes();
                int built = 0;
                for (int i = 0; i < 1000; i++) {
                    built = conn.build(out, 0);
                }
                long building = threads.getCurrentThreadAllocatedBytes() - before;
                assertThat(built).isEqualTo(family == AF_INET ? 48 : 28);
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
