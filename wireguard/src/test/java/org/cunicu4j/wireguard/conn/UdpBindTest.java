package org.cunicu4j.wireguard.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;
import static org.cunicu4j.linux.socket.SocketConstants.SOL_SOCKET;
import static org.cunicu4j.linux.socket.SocketConstants.SO_MARK;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.socket.Sockets;
import org.cunicu4j.linux.socket.UdpSocket;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.testlab.BlockedCall;
import org.cunicu4j.testlab.RequiresRoot;
import org.junit.jupiter.api.Test;

class UdpBindTest {

    private static final InetSocketAddress LO4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** A WireGuard transport message (type 4) of {@code len} bytes carrying {@code tag}. */
    static void putTransport(ByteBuffer buf, int len, int tag) {
        buf.clear();
        buf.order(ByteOrder.LITTLE_ENDIAN).putInt(0, 4).putInt(4, 0x1234).putLong(8, tag).putInt(16, tag);
        buf.order(ByteOrder.BIG_ENDIAN).limit(len);
    }

    /** A STUN binding request: type 0x0001, no attributes, the magic cookie, a transaction id. */
    static final byte[] STUN_BINDING = HexFormat.of().parseHex("000100002112a442" + "0102030405060708090a0b0c");

    /** Receives until {@code want} datagrams arrived; closes the bind after 10 s so a loss fails instead of hanging. */
    private static List<Integer> receiveTags(Bind.ReceiveFunc r, Bind bind, PacketBatch in, int want, List<InetSocketAddress> sources)
            throws IOException {
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(bind::close, CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS));
        try {
            List<Integer> tags = new ArrayList<>();
            while (tags.size() < want) {
                int n = r.receive(in);
                for (int i = 0; i < n; i++) {
                    tags.add(in.buffer(i).order(ByteOrder.LITTLE_ENDIAN).getInt(16));
                    in.buffer(i).order(ByteOrder.BIG_ENDIAN);
                    if (sources != null) {
                        sources.add(in.address(i));
                    }
                }
            }
            return tags;
        } finally {
            watchdog.cancel(false);
        }
    }

    @Test
    void openOnZeroGivesBothFamiliesOnePort() throws IOException {
        try (UdpBind bind = new UdpBind()) {
            Bind.Opened opened = bind.open(0);
            assertThat(opened.port()).isPositive();
            assertThat(opened.receivers()).hasSize(2);
            assertThat(bind.port()).isEqualTo(opened.port());
            assertThat(bind.sharedConn(StandardProtocolFamily.INET).localAddress().getPort()).isEqualTo(opened.port());
            assertThat(bind.sharedConn(StandardProtocolFamily.INET6).localAddress().getPort()).isEqualTo(opened.port());
            assertThat(bind.hasIpv6()).isTrue();
            assertThat(bind.socket(StandardProtocolFamily.INET).receiveBufferSize()).as("SO_RCVBUF (the kernel doubles it)")
                    .isGreaterThanOrEqualTo(UdpBindOptions.DEFAULT_SOCKET_BUFFER_SIZE);
            assertThat(bind.toString()).isEqualTo("UdpBind[port " + opened.port() + " IPv4 IPv6]");
        }
    }

    @Test
    void openOnAFixedPortAndReopenOnAnother() throws Exception {
        try (UdpBind bind = new UdpBind()) {
            int first = bind.open(0).port();
            Bind.Opened again = bind.open(first); // closes the first, then binds the same port explicitly
            assertThat(again.port()).isEqualTo(first);
            Bind.ReceiveFunc old = again.receivers().get(0);
            bind.close();
            Bind.Opened moved;
            try (UdpSocket blocker = UdpSocket.open(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), first))) {
                moved = bind.open(0); // cannot get `first` back while the blocker holds it
            }
            assertThat(moved.port()).isNotEqualTo(first);
            assertThatThrownBy(() -> old.receive(new PacketBatch(4, 128))).isInstanceOf(ClosedChannelException.class);
            // the new sockets work
            try (UdpBind other = new UdpBind()) {
                other.open(0);
                PacketBatch out = new PacketBatch(1, 128);
                putTransport(out.buffer(0), 40, 7);
                out.setCount(1);
                other.send(out, UdpEndpoint.parse("127.0.0.1:" + moved.port()));
                assertThat(receiveTags(moved.receivers().get(0), bind, new PacketBatch(4, 128), 1, null)).containsExactly(7);
            }
        }
    }

    @Test
    void aTakenFixedPortIsReportedWithThePort() throws IOException {
        try (UdpSocket blocker = UdpSocket.open(LO4); UdpBind bind = new UdpBind()) {
            int port = blocker.localAddress().getPort();
            // the blocker holds 127.0.0.1:port; the Bind wants 0.0.0.0:port
            assertThatThrownBy(() -> bind.open(port))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot bind UDP port " + port + " on IPv4: bind(")
                    .hasMessageContaining("EADDRINUSE");
            assertThat(bind.port()).isZero();
        }
    }

    @Test
    void portZeroTriesAgainWhenIpv6HasThePortTaken() throws IOException {
        List<UdpSocket> blockers = new ArrayList<>();
        AtomicInteger v6Calls = new AtomicInteger();
        SocketPair.Opener takeFirstV6 = (family, port) -> {
            if (family == AF_INET6 && v6Calls.getAndIncrement() == 0) {
                UdpSocket b = UdpSocket.open(AF_INET6);
                b.setDualStack(false);
                b.bind(new InetSocketAddress(InetAddress.getByName("::"), port));
                blockers.add(b);
            }
            return SocketPair.openBound(family, port);
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults(), takeFirstV6)) {
            Bind.Opened opened = bind.open(0);
            assertThat(v6Calls).hasValue(2);
            assertThat(opened.port()).isNotEqualTo(blockers.get(0).localAddress().getPort());
            assertThat(bind.sharedConn(StandardProtocolFamily.INET6).localAddress().getPort()).isEqualTo(opened.port());
            assertThat(bind.sharedConn(StandardProtocolFamily.INET).localAddress().getPort()).isEqualTo(opened.port());
        } finally {
            blockers.forEach(UdpSocket::close);
        }
    }

    @Test
    void aFixedPortTakenOnIpv6Fails() throws IOException {
        try (UdpSocket blocker = UdpSocket.open(AF_INET6)) {
            blocker.setDualStack(false);
            blocker.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            int port = blocker.localAddress().getPort();
            try (UdpBind bind = new UdpBind()) {
                assertThatThrownBy(() -> bind.open(port))
                        .hasMessageStartingWith("cannot bind UDP port " + port + " on IPv6: bind(")
                        .hasMessageContaining("EADDRINUSE");
            }
        }
    }

    @Test
    void withoutIpv6TheBindRunsOnIpv4Alone() throws IOException {
        SocketPair.Opener noV6 = (family, port) -> {
            if (family == AF_INET6) {
                throw new LinuxException("socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)", Errno.EAFNOSUPPORT);
            }
            return SocketPair.openBound(family, port);
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults(), noV6)) {
            Bind.Opened opened = bind.open(0);
            assertThat(opened.receivers()).hasSize(1);
            assertThat(bind.hasIpv6()).isFalse();
            assertThat(bind.toString()).isEqualTo("UdpBind[port " + opened.port() + " IPv4]");
            PacketBatch out = new PacketBatch(2, 64);
            putTransport(out.buffer(0), 32, 1);
            putTransport(out.buffer(1), 32, 2);
            out.setCount(2);
            bind.send(out, UdpEndpoint.parse("[::1]:9"));
            assertThat(bind.counters().sendRefused()).isEqualTo(2);
            assertThat(bind.sharedConn(StandardProtocolFamily.INET6).send(out)).isEqualTo(2);
            assertThat(bind.counters().sendRefused()).isEqualTo(4);
            assertThat(bind.counters().foreignSent()).isZero();
        }
    }

    @Test
    void aMissingFamilyIsLoggedOnceNotOnEveryReopen() throws IOException {
        SocketPair.Opener noV6 = (family, port) -> {
            if (family == AF_INET6) {
                throw new LinuxException("socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)", Errno.EAFNOSUPPORT);
            }
            return SocketPair.openBound(family, port);
        };
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(UdpBind.class.getName());
        List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getMessage().startsWith("IPv6 is not available")) {
                    said.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults(), noV6)) {
            for (int i = 0; i < 3; i++) {
                assertThat(bind.open(0).receivers()).hasSize(1);
            }
        } finally {
            jul.removeHandler(h);
        }
        assertThat(said).as("said at most once per process (an earlier test may have said it)").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void withoutIpv4TheBindRunsOnIpv6Alone() throws IOException {
        SocketPair.Opener noV4 = (family, port) -> {
            if (family != AF_INET6) {
                throw new LinuxException("socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)", Errno.EAFNOSUPPORT);
            }
            return SocketPair.openBound(family, port);
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults(), noV4)) {
            Bind.Opened opened = bind.open(0);
            assertThat(opened.receivers()).hasSize(1);
            assertThat(opened.port()).isPositive();
            assertThat(bind.sharedConn(StandardProtocolFamily.INET6).localAddress().getPort()).isEqualTo(opened.port());
            assertThat(bind.sharedConn(StandardProtocolFamily.INET).localAddress()).isNull();
            assertThat(bind.toString()).isEqualTo("UdpBind[port " + opened.port() + " IPv6]");
        }
    }

    @Test
    void withNeitherFamilyOpenFailsNamingBoth() {
        SocketPair.Opener none = (family, port) -> {
            throw new LinuxException("socket(" + (family == AF_INET6 ? "AF_INET6" : "AF_INET") + ", SOCK_DGRAM, IPPROTO_UDP)", Errno.EAFNOSUPPORT);
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults(), none)) {
            assertThatThrownBy(() -> bind.open(51820))
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot bind UDP port 51820: neither IPv4 (socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP): EAFNOSUPPORT "
                            + "(Address family not supported by protocol)) nor IPv6 (socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP): EAFNOSUPPORT "
                            + "(Address family not supported by protocol)) is available");
        }
    }

    @Test
    void closeWakesABlockedReceiveFunction() throws Exception {
        UdpBind bind = new UdpBind();
        Bind.ReceiveFunc r = bind.open(0).receivers().get(1);
        PacketBatch in = new PacketBatch(4, 128);
        BlockedCall call = BlockedCall.start(() -> r.receive(in));
        bind.close();
        assertThat(call.outcome(Duration.ofSeconds(5))).isInstanceOf(ClosedChannelException.class);
        bind.close(); // idempotent
        assertThat(bind.port()).isZero();
        PacketBatch out = new PacketBatch(1, 64);
        assertThatThrownBy(() -> bind.send(out, UdpEndpoint.parse("127.0.0.1:9"))).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aSendDuringAReopenIsCountedNotThrown() throws Exception {
        CountDownLatch inOpen = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger opens = new AtomicInteger();
        SocketPair.Opener slowSecondOpen = (family, port) -> {
            if (family != AF_INET6 && opens.incrementAndGet() == 2) { // the re-open, between the old sockets and the new
                inOpen.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            return SocketPair.openBound(family, port);
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults(), slowSecondOpen)) {
            bind.open(0);
            CompletableFuture<Bind.Opened> reopen = CompletableFuture.supplyAsync(() -> {
                try {
                    return bind.open(0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(inOpen.await(10, TimeUnit.SECONDS)).as("the re-open reached the opener").isTrue();
            PacketBatch out = new PacketBatch(3, 64);
            for (int i = 0; i < 3; i++) {
                putTransport(out.buffer(i), 32, i);
            }
            out.setCount(3);
            bind.send(out, UdpEndpoint.parse("127.0.0.1:9")); // a data thread sending meanwhile: no exception
            bind.send(out, UdpEndpoint.parse("[::1]:9"));
            assertThat(bind.counters().sendRefused()).isEqualTo(6);
            assertThat(bind.counters().sent()).isEqualTo(6);
            release.countDown();
            assertThat(reopen.get(10, TimeUnit.SECONDS).port()).isPositive();
            bind.close();
            assertThatThrownBy(() -> bind.send(out, UdpEndpoint.parse("127.0.0.1:9"))).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void aFailedOpenLeavesTheBindClosed() throws IOException {
        AtomicInteger opens = new AtomicInteger();
        SocketPair.Opener failSecond = (family, port) -> {
            if (family != AF_INET6 && opens.incrementAndGet() == 2) {
                throw new LinuxException("bind(AF_INET, " + port + ")", Errno.EADDRINUSE);
            }
            return SocketPair.openBound(family, port);
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults(), failSecond)) {
            int port = bind.open(0).port();
            assertThatThrownBy(() -> bind.open(port)).isInstanceOf(IOException.class);
            PacketBatch out = new PacketBatch(1, 64);
            putTransport(out.buffer(0), 32, 1);
            out.setCount(1);
            assertThatThrownBy(() -> bind.send(out, UdpEndpoint.parse("127.0.0.1:9"))).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void batchesBothWaysOverIpv4() throws Exception {
        exchange("127.0.0.1", 0);
    }

    @Test
    void batchesBothWaysOverIpv6() throws Exception {
        exchange("[::1]", 1);
    }

    private static void exchange(String loopback, int receiverIndex) throws Exception {
        try (UdpBind a = new UdpBind(); UdpBind b = new UdpBind()) {
            Bind.Opened oa = a.open(0);
            Bind.Opened ob = b.open(0);
            Endpoint toB = b.parseEndpoint(loopback + ":" + ob.port());
            Endpoint toA = a.parseEndpoint(loopback + ":" + oa.port());
            int n = 32;
            PacketBatch out = new PacketBatch(n, 256);
            PacketBatch in = new PacketBatch(a.batchSize(), 256);
            for (int i = 0; i < n; i++) {
                putTransport(out.buffer(i), 32 + i, i);
            }
            out.setCount(n);
            a.send(out, toB);
            List<InetSocketAddress> sources = new ArrayList<>();
            assertThat(receiveTags(ob.receivers().get(receiverIndex), b, in, n, sources))
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, n).boxed().toList());
            assertThat(sources).allMatch(s -> s.equals(toA.address()));
            assertThat(toA.matches(in, 0)).isTrue();
            assertThat(b.endpointOf(in, 0)).isEqualTo(toA);
            // and back, with lengths kept
            for (int i = 0; i < n; i++) {
                putTransport(out.buffer(i), 100 + i, 1000 + i);
            }
            b.send(out, toA);
            List<Integer> tags = receiveTags(oa.receivers().get(receiverIndex), a, in, n, null);
            assertThat(tags).hasSize(n).startsWith(1000).endsWith(1000 + n - 1);
            assertThat(in.buffer(in.count() - 1).remaining()).isEqualTo(100 + n - 1);
            assertThat(a.counters().received()).isEqualTo(n);
            assertThat(a.counters().sent()).isEqualTo(n);
            assertThat(b.counters().received()).isEqualTo(n);
            assertThat(a.counters().droppedForeign()).isZero();
        }
    }

    @Test
    void foreignDatagramsGoToTheHandlerAndWireGuardOnesDoNot() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        ForeignPacketHandler handler = (batch, slot, family) -> {
            ByteBuffer buf = batch.buffer(slot);
            byte[] copy = new byte[buf.remaining()];
            buf.get(buf.position(), copy);
            seen.add(family + " " + batch.address(slot).getPort() + " " + HexFormat.of().formatHex(copy));
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults().withForeignHandler(handler));
                UdpPacketConn peer = UdpPacketConn.open(LO4)) {
            Bind.Opened opened = bind.open(0);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), opened.port());
            PacketBatch out = new PacketBatch(4, 256);
            out.buffer(0).clear().put(STUN_BINDING).flip();
            putTransport(out.buffer(1), 48, 42);
            out.buffer(2).clear().put(new byte[] {0x40, 0, 0, 4, 1, 2, 3, 4}).flip(); // TURN ChannelData
            putTransport(out.buffer(3), 48, 43);
            for (int i = 0; i < 4; i++) {
                out.setAddress(i, to);
            }
            out.setCount(4);
            peer.send(out);
            PacketBatch in = new PacketBatch(8, 256);
            assertThat(receiveTags(opened.receivers().get(0), bind, in, 2, null)).containsExactly(42, 43);
            int from = peer.localAddress().getPort();
            assertThat(seen).containsExactly(
                    "INET " + from + " " + HexFormat.of().formatHex(STUN_BINDING),
                    "INET " + from + " 4000000401020304");
            BindCounters c = bind.counters();
            assertThat(c.received()).isEqualTo(2);
            assertThat(c.foreignReceived()).isEqualTo(2);
            assertThat(c.droppedForeign()).isZero();
        }
    }

    @Test
    void withoutAHandlerForeignDatagramsAreDroppedAndCounted() throws Exception {
        try (UdpBind bind = new UdpBind(); UdpPacketConn peer = UdpPacketConn.open(LO4)) {
            Bind.Opened opened = bind.open(0);
            PacketBatch out = new PacketBatch(3, 256);
            out.buffer(0).clear().put(STUN_BINDING).flip();
            out.buffer(1).clear().put(new byte[] {4, 0, 0, 0, 1}).flip(); // a WireGuard type, too short
            putTransport(out.buffer(2), 32, 5);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), opened.port());
            for (int i = 0; i < 3; i++) {
                out.setAddress(i, to);
            }
            out.setCount(3);
            peer.send(out);
            assertThat(receiveTags(opened.receivers().get(0), bind, new PacketBatch(8, 256), 1, null)).containsExactly(5);
            assertThat(bind.counters().droppedForeign()).isEqualTo(2);
            assertThat(bind.counters().received()).isEqualTo(1);
        }
    }

    @Test
    void aThrowingHandlerIsCountedAndTheLoopGoesOn() throws Exception {
        ForeignPacketHandler bad = (batch, slot, family) -> {
            throw new IllegalStateException("boom");
        };
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults().withForeignHandler(bad));
                UdpPacketConn peer = UdpPacketConn.open(LO4)) {
            Bind.Opened opened = bind.open(0);
            PacketBatch out = new PacketBatch(2, 256);
            out.buffer(0).clear().put(STUN_BINDING).flip();
            putTransport(out.buffer(1), 32, 9);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), opened.port());
            out.setAddress(0, to);
            out.setAddress(1, to);
            out.setCount(2);
            peer.send(out);
            assertThat(receiveTags(opened.receivers().get(0), bind, new PacketBatch(8, 256), 1, null)).containsExactly(9);
            assertThat(bind.counters().handlerErrors()).isEqualTo(1);
        }
    }

    @Test
    void tooLongDatagramsAreDroppedAndCounted() throws Exception {
        try (UdpBind a = new UdpBind(); UdpBind b = new UdpBind()) {
            a.open(0);
            Bind.Opened ob = b.open(0);
            PacketBatch out = new PacketBatch(2, 512);
            putTransport(out.buffer(0), 300, 1);
            putTransport(out.buffer(1), 64, 2);
            out.setCount(2);
            a.send(out, UdpEndpoint.parse("127.0.0.1:" + ob.port()));
            assertThat(receiveTags(ob.receivers().get(0), b, new PacketBatch(4, 128), 1, null)).containsExactly(2);
            assertThat(b.counters().droppedTooLong()).isEqualTo(1);
        }
    }

    @Test
    void theSharedConnSendsFromTheBindsPort() throws Exception {
        try (UdpBind bind = new UdpBind(); UdpPacketConn peer4 = UdpPacketConn.open(LO4);
                UdpPacketConn peer6 = UdpPacketConn.open(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            int port = bind.open(0).port();
            for (UdpPacketConn peer : List.of(peer4, peer6)) {
                StandardProtocolFamily family = peer == peer4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
                PacketConn shared = bind.sharedConn(family);
                PacketBatch out = new PacketBatch(1, 64);
                out.buffer(0).clear().put(STUN_BINDING).flip();
                out.setAddress(0, peer.localAddress());
                out.setCount(1);
                assertThat(shared.send(out)).isEqualTo(1);
                PacketBatch in = new PacketBatch(1, 64);
                CompletableFuture<Void> watchdog = CompletableFuture.runAsync(peer::close, CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS));
                assertThat(peer.receive(in)).isEqualTo(1);
                watchdog.cancel(false);
                assertThat(in.port(0)).as(family + " source port").isEqualTo(port);
                assertThat(in.buffer(0).remaining()).isEqualTo(STUN_BINDING.length);
                assertThatThrownBy(() -> shared.receive(in)).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessage("this UdpBind hands datagrams that are not WireGuard to no one (no foreign queue in its options)");
            }
            assertThat(bind.counters().foreignSent()).isEqualTo(2);
            // the shared conns follow a re-open
            int moved = bind.open(0).port();
            assertThat(bind.sharedConn(StandardProtocolFamily.INET).localAddress().getPort()).isEqualTo(moved);
            // while the Bind is closed the sharer's datagrams are counted and skipped
            bind.close();
            PacketBatch out = new PacketBatch(1, 64);
            out.setAddress(0, peer4.localAddress());
            out.setCount(1);
            assertThat(bind.sharedConn(StandardProtocolFamily.INET).send(out)).isEqualTo(1);
            assertThat(bind.counters().sendRefused()).isEqualTo(1);
            // the sharer's close ends its conn for good
            bind.sharedConn(StandardProtocolFamily.INET).close();
            assertThatThrownBy(() -> bind.sharedConn(StandardProtocolFamily.INET).send(out)).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    @RequiresRoot
    void setMarkIsAppliedAndRememberedAcrossOpens() throws IOException {
        try (UdpBind bind = new UdpBind()) {
            bind.setMark(0x51); // before open: remembered
            bind.open(0);
            assertThat(mark(bind, StandardProtocolFamily.INET)).isEqualTo(0x51);
            assertThat(mark(bind, StandardProtocolFamily.INET6)).isEqualTo(0x51);
            bind.setMark(0x52);
            assertThat(mark(bind, StandardProtocolFamily.INET)).isEqualTo(0x52);
            bind.open(0);
            assertThat(mark(bind, StandardProtocolFamily.INET6)).isEqualTo(0x52);
            bind.setMark(0);
            assertThat(mark(bind, StandardProtocolFamily.INET)).isZero();
        }
    }

    private static int mark(UdpBind bind, StandardProtocolFamily family) throws IOException {
        return Sockets.getInt(bind.socket(family).fd(), SOL_SOCKET, SO_MARK);
    }

    @Test
    void sendRefusesForeignEndpointTypes() throws IOException {
        try (UdpBind bind = new UdpBind()) {
            bind.open(0);
            Endpoint other = new Endpoint() {
                @Override
                public InetSocketAddress address() {
                    return LO4;
                }

                @Override
                public boolean matches(PacketBatch batch, int slot) {
                    return false;
                }
            };
            assertThatThrownBy(() -> bind.send(new PacketBatch(1, 64), other))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("UdpBind sends to its own UdpEndpoints, not to a ");
        }
    }

    @Test
    void aForeignQueueMakesTheSharedConnAFullPacketConn() throws Exception {
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults().withForeignQueue(8));
                UdpPacketConn peer = UdpPacketConn.open(LO4)) {
            Bind.Opened opened = bind.open(0);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), opened.port());
            PacketBatch out = new PacketBatch(13, 256);
            for (int i = 0; i < 12; i++) {
                out.buffer(i).clear().put(STUN_BINDING).put(19, (byte) i).flip(); // the id's last byte: which one
                out.setAddress(i, to);
            }
            putTransport(out.buffer(12), 32, 77);
            out.setAddress(12, to);
            out.setCount(13);
            peer.send(out);
            // the WireGuard one comes back from the receive function once the twelve before it were queued
            assertThat(receiveTags(opened.receivers().get(0), bind, new PacketBatch(16, 256), 1, null)).containsExactly(77);
            PacketConn shared = bind.sharedConn(StandardProtocolFamily.INET);
            PacketBatch in = new PacketBatch(16, 256);
            assertThat(shared.receive(in)).isEqualTo(8);
            for (int i = 0; i < 8; i++) {
                assertThat(in.buffer(i).get(19)).isEqualTo((byte) i);
                assertThat(in.buffer(i).remaining()).isEqualTo(STUN_BINDING.length);
                assertThat(in.address(i)).isEqualTo(peer.localAddress());
            }
            BindCounters c = bind.counters();
            assertThat(c.foreignReceived()).isEqualTo(8);
            assertThat(c.foreignQueueFull()).isEqualTo(4);
            // a reply through the same conn leaves from the Bind's port
            in.setCount(1);
            assertThat(shared.send(in)).isEqualTo(1);
            PacketBatch back = new PacketBatch(1, 256);
            CompletableFuture<Void> watchdog = CompletableFuture.runAsync(peer::close, CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS));
            assertThat(peer.receive(back)).isEqualTo(1);
            watchdog.cancel(false);
            assertThat(back.port(0)).isEqualTo(opened.port());
            // the sharer's close wakes its blocked receive
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    shared.receive(new PacketBatch(4, 256));
                    outcome.complete(null);
                } catch (Throwable e) {
                    outcome.complete(e);
                }
            });
            org.cunicu4j.testlab.Waiter.until("the sharer waits in receive", Duration.ofSeconds(5), () -> t.getState() == Thread.State.WAITING);
            shared.close();
            assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void foreignDatagramsTooLongForTheQueueOrTheTakerCountAsTooLong() throws Exception {
        try (UdpBind bind = new UdpBind(UdpBindOptions.defaults().withForeignQueue(4));
                UdpPacketConn peer = UdpPacketConn.open(LO4)) {
            Bind.Opened opened = bind.open(0);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), opened.port());
            PacketBatch out = new PacketBatch(4, 4096);
            out.buffer(0).clear().put(STUN_BINDING).limit(UdpBind.FOREIGN_SLOT_SIZE + 1).position(0); // longer than a queue slot
            out.buffer(1).clear().put(STUN_BINDING).limit(500).position(0); // fits the queue, not the taker's slot
            out.buffer(2).clear().put(STUN_BINDING).flip();
            putTransport(out.buffer(3), 32, 5);
            for (int i = 0; i < 4; i++) {
                out.setAddress(i, to);
            }
            out.setCount(4);
            peer.send(out);
            assertThat(receiveTags(opened.receivers().get(0), bind, new PacketBatch(8, 4096), 1, null)).containsExactly(5);
            PacketBatch small = new PacketBatch(4, 100);
            assertThat(bind.sharedConn(StandardProtocolFamily.INET).receive(small)).isEqualTo(1);
            assertThat(small.buffer(0).remaining()).isEqualTo(STUN_BINDING.length);
            BindCounters c = bind.counters();
            assertThat(c.foreignReceived()).as(c.toString()).isEqualTo(2);
            assertThat(c.droppedTooLong()).isEqualTo(2);
            assertThat(c.foreignQueueFull()).isZero();
        }
    }

    @Test
    void aLinkLocalSourceGivesNoEndpointToRoamTo() throws IOException {
        try (UdpBind bind = new UdpBind()) {
            PacketBatch in = new PacketBatch(3, 64);
            byte[] linkLocal = InetAddress.ofLiteral("fe80::1").getAddress();
            in.setAddress(0, linkLocal, 0, 16, 51820);
            in.setAddress(1, InetAddress.ofLiteral("2001:db8::1").getAddress(), 0, 16, 51820);
            in.setAddress(2, new byte[] {(byte) 192, 0, 2, 1}, 0, 4, 51820);
            assertThat(bind.endpointOf(in, 0)).as("fe80::1: endpoints carry no interface").isNull();
            assertThat(bind.endpointOf(in, 1)).hasToString("[2001:db8::1]:51820");
            assertThat(bind.endpointOf(in, 2)).hasToString("192.0.2.1:51820");
        }
    }

    @Test
    void aHandlerAndAQueueExcludeEachOther() {
        ForeignPacketHandler h = (b, slot, f) -> {};
        UdpBindOptions toHandler = UdpBindOptions.defaults().withForeignQueue(4).withForeignHandler(h);
        assertThat(toHandler.foreignHandler()).isSameAs(h);
        assertThat(toHandler.foreignQueue()).isZero();
        UdpBindOptions toQueue = UdpBindOptions.defaults().withForeignHandler(h).withForeignQueue(4);
        assertThat(toQueue.foreignHandler()).isNull();
        assertThat(toQueue.foreignQueue()).isEqualTo(4);
        assertThatThrownBy(() -> new UdpBindOptions((b, s, f) -> {}, 4, 0, 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("foreign datagrams go to a handler or to a queue, not both");
        assertThatThrownBy(() -> UdpBindOptions.defaults().withBatchSize(0)).hasMessage("batchSize must be 1..1024, got 0");
    }
}
