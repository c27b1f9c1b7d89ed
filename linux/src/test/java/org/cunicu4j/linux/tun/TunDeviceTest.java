package org.cunicu4j.linux.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.linux.Capabilities;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.testlab.BlockedCall;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "ping"})
class TunDeviceTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private Lab lab;
    private Host host;

    @BeforeEach
    void openLab() {
        lab = Lab.open();
        host = lab.host("tun");
    }

    @AfterEach
    void closeLab() {
        lab.close();
    }

    @Test
    void receivesThePingSentToItsSubnet() throws Exception {
        try (TunDevice tun = NetNs.call(host.netns(), () -> configured("tun0", "10.71.1.1/24"))) {
            host.start("ping", "-c", "1", "-W", "5", "10.71.1.2");

            ByteBuffer packet = readMatching(tun, p -> p.get(0) >> 4 == 4 && p.get(9) == 1);

            assertThat(packet.get(0) & 0x0f).as("IHL").isEqualTo(5);
            assertThat(packet.get(9)).as("protocol ICMP").isEqualTo((byte) 1);
            assertThat(addressAt(packet, 12)).isEqualTo(InetAddress.ofLiteral("10.71.1.1"));
            assertThat(addressAt(packet, 16)).isEqualTo(InetAddress.ofLiteral("10.71.1.2"));
            assertThat(packet.get(20)).as("ICMP echo request").isEqualTo((byte) 8);
            assertThat(Ipv4Udp.checksum(packet, 0, 20)).as("header checksum verifies").isZero();
        }
    }

    @Test
    void aWrittenPacketReachesASocketInTheNamespace() throws Exception {
        try (TunDevice tun = NetNs.call(host.netns(), () -> configured("tun0", "10.71.2.1/24"));
                DatagramChannel socket = NetNs.call(host.netns(),
                        () -> DatagramChannel.open().bind(new InetSocketAddress("10.71.2.1", 0)));
                Selector selector = Selector.open()) {
            int port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
            byte[] payload = "hello through the tun".getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocateDirect(1500);
            Ipv4Udp.build(out, (Inet4Address) InetAddress.ofLiteral("10.71.2.2"),
                    (Inet4Address) InetAddress.ofLiteral("10.71.2.1"), 40000, port, payload);

            int written = tun.write(out);

            assertThat(written).isEqualTo(28 + payload.length);
            assertThat(out.hasRemaining()).isFalse();
            socket.configureBlocking(false).register(selector, SelectionKey.OP_READ);
            assertThat(selector.select(DEADLINE.toMillis())).as("datagram within " + DEADLINE).isEqualTo(1);
            ByteBuffer in = ByteBuffer.allocate(1500);
            InetSocketAddress from = (InetSocketAddress) socket.receive(in);
            assertThat(from).isEqualTo(new InetSocketAddress("10.71.2.2", 40000));
            assertThat(Arrays.copyOf(in.array(), in.position())).isEqualTo(payload);
        }
    }

    @Test
    void writingAllocatesNothingPerPacketOnceCompiled() throws Exception {
        try (TunDevice tun = NetNs.call(host.netns(), () -> configured("tun0", "10.71.3.1/24"))) {
            ByteBuffer out = ByteBuffer.allocateDirect(1500);
            Ipv4Udp.build(out, (Inet4Address) InetAddress.ofLiteral("10.71.3.2"),
                    (Inet4Address) InetAddress.ofLiteral("10.71.3.1"), 40000, 9, new byte[64]);
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 12 && best >= 1; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 20_000; i++) {
                    out.position(0);
                    tun.write(out);
                }
                best = Math.min(best, (threads.getCurrentThreadAllocatedBytes() - before) / 20_000.0);
            }
            assertThat(best).as("bytes allocated per written packet after JIT warm-up").isLessThan(1);
        }
    }

    @Test
    void aMalformedPacketIsRefusedAloneWithoutAnException() throws Exception {
        try (TunDevice tun = NetNs.call(host.netns(), () -> configured("tun0", "10.71.5.1/24"))) {
            ByteBuffer junk = ByteBuffer.allocateDirect(64);
            junk.put(new byte[20]).flip(); // IP version 0

            assertThat(tun.write(junk)).as("-EINVAL").isEqualTo(-org.cunicu4j.linux.Errno.EINVAL);
            assertThat(junk.position()).as("a refused packet leaves the position").isZero();

            ByteBuffer out = ByteBuffer.allocateDirect(1500);
            Ipv4Udp.build(out, (Inet4Address) InetAddress.ofLiteral("10.71.5.2"),
                    (Inet4Address) InetAddress.ofLiteral("10.71.5.1"), 40000, 9, new byte[8]);
            assertThat(tun.write(out)).as("the queue still works").isEqualTo(36);
        }
    }

    @Test
    void readingAllocatesNothingPerPacketOnceCompiled() throws Exception {
        try (TunDevice tun = NetNs.call(host.netns(), () -> configured("tun0", "10.71.4.1/24"));
                DatagramChannel tx = NetNs.call(host.netns(), () -> DatagramChannel.open())) {
            host.run("ip", "link", "set", "tun0", "txqueuelen", "1000");
            InetSocketAddress peer = new InetSocketAddress("10.71.4.2", 9);
            ByteBuffer payload = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(1501);
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            // Each round queues a burst in the device first, so that every read finds a packet:
            // what is measured is the per-packet path, not the wait in poll when the queue is empty.
            int burst = 400;
            double best = Double.MAX_VALUE;
            // Should a packet of a burst be lost, a read would wait for good: closing wakes it.
            var watchdog = java.util.concurrent.CompletableFuture.runAsync(tun::close,
                    java.util.concurrent.CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS));
            for (int round = 0; round < 200 && (round < 100 || best >= 1); round++) {
                for (int i = 0; i < burst; i++) {
                    tx.send(payload.clear(), peer);
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < burst; i++) {
                    in.clear();
                    tun.read(in);
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                if (round >= 100) { // the first 100 rounds warm the JIT up
                    best = Math.min(best, allocated / (double) burst);
                }
            }
            watchdog.cancel(false);
            assertThat(best).as("bytes allocated per read packet after JIT warm-up").isLessThan(1);
        }
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        TunDevice tun = NetNs.call(host.netns(), () -> TunDevice.open("tun0"));
        BlockedCall reader = BlockedCall.start(() -> tun.read(ByteBuffer.allocateDirect(1500)));

        tun.close();

        assertThat(reader.outcome(DEADLINE)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> tun.read(ByteBuffer.allocateDirect(1500))).isInstanceOf(ClosedChannelException.class);
        Waiter.until("tun0 is gone with its last queue", DEADLINE,
                () -> !host.exec("ip", "link", "show", "tun0").ok());
    }

    @Test
    void multiQueueDevicesShareOneInterface() throws Exception {
        try (TunDevice both = NetNs.call(host.netns(), () -> TunDevice.openMultiQueue("mq0", 2));
                TunDevice third = NetNs.call(host.netns(), () -> TunDevice.openMultiQueue("mq0", 1))) {
            assertThat(both.queues()).hasSize(2);
            assertThat(third.name()).isEqualTo("mq0");
            assertThat(third.index()).isEqualTo(both.index());
            String details = host.run("ip", "-j", "-d", "link", "show", "mq0").stdout();
            assertThat(details).contains("\"multi_queue\":true").contains("\"numqueues\":3");

            assertThatThrownBy(() -> NetNs.call(host.netns(), () -> TunDevice.open("mq0")))
                    .isInstanceOf(LinuxException.class)
                    .hasMessageStartingWith("ioctl(/dev/net/tun, TUNSETIFF, \"mq0\", IFF_TUN|IFF_NO_PI): EINVAL");
        }
    }

    @Test
    void kernelChosenNamesAreReported() throws Exception {
        try (TunDevice tun = NetNs.call(host.netns(), () -> TunDevice.open("c4j%d"))) {
            assertThat(tun.name()).matches("c4j[0-9]+");
            assertThat(host.run("ip", "-j", "link", "show", tun.name()).stdout())
                    .contains("\"ifindex\":" + tun.index() + ",");
        }
    }

    @Test
    void withoutCapNetAdminOpeningFailsWithAHint() {
        assertThatThrownBy(() -> NetNs.call(host.netns(), () -> {
            Capabilities.dropOnCurrentThread(Capabilities.CAP_NET_ADMIN);
            return TunDevice.open("tun0");
        })).isInstanceOf(LinuxException.class)
                .hasMessage("ioctl(/dev/net/tun, TUNSETIFF, \"tun0\", IFF_TUN|IFF_NO_PI): EPERM (Operation not permitted)"
                        + " — creating a TUN device needs CAP_NET_ADMIN (run as root or grant the capability)");
    }

    @Test
    void badNamesAreRejectedBeforeTheKernelSeesThem() {
        assertThatThrownBy(() -> TunDevice.open("sixteen-bytes-xx"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TUN name \"sixteen-bytes-xx\" is 16 bytes; Linux interface names are at most 15 bytes");
        assertThatThrownBy(() -> TunDevice.open("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TunDevice.open("")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Opens a TUN, gives it {@code cidr} and brings it up with our own rtnetlink (called inside the namespace). */
    private static TunDevice configured(String name, String cidr) throws IOException {
        TunDevice tun = TunDevice.open(name);
        try (RtNetlink rt = RtNetlink.open()) {
            rt.addAddress(tun.index(), cidr);
            rt.setUp(tun.index(), true);
        } catch (IOException | RuntimeException e) {
            tun.close();
            throw e;
        }
        return tun;
    }

    /** Reads packets until one matches, on a helper thread; closes the TUN if the deadline passes. */
    private static ByteBuffer readMatching(TunDevice tun, java.util.function.Predicate<ByteBuffer> match)
            throws Exception {
        CompletableFuture<ByteBuffer> found = CompletableFuture.supplyAsync(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(2048);
            try {
                while (true) {
                    buf.clear();
                    tun.read(buf);
                    buf.flip();
                    if (match.test(buf)) {
                        return buf;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().name("tun-test-reader").start(r));
        try {
            return found.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            tun.close(); // wakes the reader if it still waits
        }
    }

    private static InetAddress addressAt(ByteBuffer packet, int offset) throws IOException {
        byte[] a = new byte[4];
        packet.get(offset, a);
        return InetAddress.getByAddress(a);
    }
}
