package org.cunicu4j.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server and client against each other on a socket in a temporary directory (no root needed). */
class UapiServerTest {
    @TempDir
    Path dir;

    /** Closes {@code ch} after 10 s, so that a server that never answers fails the test instead of hanging it. */
    private static Thread deadline(SocketChannel ch) {
        return Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(10_000);
                ch.close();
            } catch (InterruptedException | IOException e) {
                // answered in time
            }
        });
    }

    private static String exchange(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Thread deadline = deadline(ch);
            try {
                return exchange(ch, socket, request);
            } finally {
                deadline.interrupt();
            }
        }
    }

    private static String exchange(SocketChannel ch, Path socket, String request) throws IOException {
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
        ch.shutdownOutput();
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        while (ch.read(in) >= 0) {
            if (!in.hasRemaining()) {
                break;
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void clientAndServerAgreeOnEverything() throws Exception {
        Path socket = dir.resolve("run/wireguard/t0.sock");
        FakeDevice device = new FakeDevice("t0");
        try (UapiServer server = UapiServer.start("t0", socket, device)) {
            assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(socket.getParent())).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
            UapiClient client = UapiClient.of("t0", socket);
            DeviceUpdate sample = UapiCodecTest.sampleUpdate();
            PeerUpdate first = sample.peers().getFirst();
            List<PeerUpdate> peers = new java.util.ArrayList<>(sample.peers());
            peers.set(0, new PeerUpdate(first.publicKey(), false, false, first.presharedKey(), first.endpoint(),
                    first.persistentKeepaliveSeconds(), first.replaceAllowedIps(), first.allowedIps()));
            client.apply(new DeviceUpdate(sample.privateKey(), sample.listenPort(), sample.fwmark(), true, peers));
            Key peer = UapiCodecTest.key(1, Key.Type.PUBLIC);
            device.stats(peer, Instant.ofEpochSecond(1_700_000_000L, 5), 10, 20);
            DeviceStatus status = client.status();
            assertThat(status).isEqualTo(device.status());
            assertThat(status.listenPort()).isEqualTo(51821);
            assertThat(status.peers()).hasSize(1); // update_only peer 5 did not exist; 3 was removed
            assertThat(status.peers().getFirst().allowedIps()).containsExactly(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("::/0"));
            assertThat(status.peers().getFirst().lastHandshake()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 5));

            client.setEndpoint(peer, new InetSocketAddress("2001:db8::9", 7));
            assertThat(client.status().peers().getFirst().endpoint()).isEqualTo(new InetSocketAddress("2001:db8::9", 7));

            // a refusal of the device comes back as its errno
            assertThatThrownBy(() -> client.apply(new DeviceUpdate(null, 9, null, false, List.of())))
                    .isInstanceOf(UapiException.class)
                    .hasMessageContaining("refused set=1: errno=98 EADDRINUSE")
                    .satisfies(e -> assertThat(((UapiException) e).errno()).isEqualTo(98));
            assertThat(server.rejectedRequests()).isZero();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void badRequestsAreAnsweredWithEinvalAndTheConnectionStaysUsable() throws Exception {
        Path socket = dir.resolve("t1.sock");
        FakeDevice device = new FakeDevice("t1");
        try (UapiServer server = UapiServer.start("t1", socket, device)) {
            String reply = exchange(socket, "set=1\nlisten_port=1\nlisten_port=x\nfwmark=1\n\nget=1\n\n");
            assertThat(reply).isEqualTo("errno=-22\n\nerrno=0\n\n");
            assertThat(device.applied).isZero(); // nothing of a bad request is applied
            assertThat(exchange(socket, "gimme=1\n\n")).isEqualTo("errno=-22\n\n");
            assertThat(exchange(socket, "get=1\nx=y\n\n")).isEqualTo("errno=-22\n\n");
            assertThat(exchange(socket, "set=1\n" + "a".repeat(5000) + "\n\n")).isEqualTo("errno=-22\n\n");
            assertThat(exchange(socket, "set=1\nlisten_port=5\n")).isEqualTo("errno=-22\n\n"); // no empty line
            assertThat(server.rejectedRequests()).isEqualTo(5);
            assertThat(exchange(socket, "set=1\nlisten_port=5\n\nget=1\n\n")).isEqualTo("errno=0\n\nlisten_port=5\nerrno=0\n\n");
        }
    }

    @Test
    void refusesALiveSocketAndReplacesAStaleOne() throws Exception {
        Path socket = dir.resolve("t2.sock");
        try (UapiServer first = UapiServer.start("t2", socket, new FakeDevice("t2"))) {
            assertThatThrownBy(() -> UapiServer.start("t2", socket, new FakeDevice("t2")))
                    .isInstanceOf(FileAlreadyExistsException.class)
                    .hasMessageContaining("another device owns the name t2");
            assertThat(UapiClient.of("t2", socket).status().peers()).isEmpty(); // the first one still serves
        }
        // a stale socket: bound once, its owner gone
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(socket));
        dead.close();
        assertThat(socket).exists();
        try (UapiServer second = UapiServer.start("t2", socket, new FakeDevice("t2"))) {
            second.close();
            assertThat(socket).doesNotExist();
        }
        Files.writeString(socket, "not a socket");
        assertThatThrownBy(() -> UapiServer.start("t2", socket, new FakeDevice("t2")))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("is not a socket");
    }

    @Test
    void closeDisconnectsClientsAndLeavesASuccessorsSocketAlone() throws Exception {
        Path socket = dir.resolve("t3.sock");
        UapiServer server = UapiServer.start("t3", socket, new FakeDevice("t3"));
        SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        idle.write(ByteBuffer.wrap("get=1\n\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer in = ByteBuffer.allocate(64);
        while (in.position() < "errno=0\n\n".length()) {
            idle.read(in);
        }
        // a successor took the name over (as after a crash and a manual cleanup)
        Files.delete(socket);
        try (UapiServer successor = UapiServer.start("t3", socket, new FakeDevice("t3"))) {
            server.close();
            assertThat(idle.read(ByteBuffer.allocate(8))).isEqualTo(-1); // disconnected
            assertThat(socket).exists();
            assertThat(UapiClient.of("t3", socket).status().peers()).isEmpty();
        }
        idle.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void clientNamesTheDeviceWhenNothingListens() {
        UapiClient client = UapiClient.of("t4", dir.resolve("t4.sock"));
        assertThatThrownBy(client::status).isInstanceOf(IOException.class)
                .hasMessageStartingWith("device t4: cannot connect to its UAPI socket " + dir.resolve("t4.sock"));
        assertThatThrownBy(() -> client.apply(DeviceUpdate.peers(PeerUpdate.removal(UapiCodecTest.key(1, Key.Type.PUBLIC)))))
                .isInstanceOf(IOException.class).hasMessageContaining("t4");
    }

    @Test
    void aDeviceThatNeverAnswersTimesOutNamingIt() throws Exception {
        Path socket = dir.resolve("t5.sock");
        try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            mute.bind(UnixDomainSocketAddress.of(socket)); // connections queue in the backlog, unanswered
            UapiClient client = UapiClient.of("t5", socket).withTimeout(java.time.Duration.ofMillis(200));
            assertThatThrownBy(client::status).isInstanceOf(UapiException.class)
                    .hasMessage("device t5 (" + socket + "): no complete answer to get=1 within 200 ms");
            assertThatThrownBy(() -> client.apply(DeviceUpdate.peers(PeerUpdate.removal(UapiCodecTest.key(1, Key.Type.PUBLIC)))))
                    .hasMessageEndingWith("no complete answer to set=1 within 200 ms");
        }
    }

    /** Random bytes and mutated requests from many clients: the server answers or hangs up, and keeps serving. */
    @Test
    void garbageFromClientsNeverStopsTheServer() throws Exception {
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        Path socket = dir.resolve("t6.sock");
        FakeDevice device = new FakeDevice("t6");
        String valid = "set=1\n" + UapiCodec.formatUpdate(UapiCodecTest.sampleUpdate()) + "\n";
        try (UapiServer server = UapiServer.start("t6", socket, device)) {
            for (int i = 0; i < 300; i++) {
                byte[] request;
                if (random.nextBoolean()) {
                    request = new byte[random.nextInt(600)];
                    random.nextBytes(request);
                } else {
                    StringBuilder sb = new StringBuilder(valid);
                    for (int e = random.nextInt(5); e >= 0 && !sb.isEmpty(); e--) {
                        sb.setCharAt(random.nextInt(sb.length()), (char) random.nextInt(128));
                    }
                    request = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
                }
                if (request.length == 0) {
                    continue; // nothing asked, nothing answered
                }
                String reply = exchange(socket, new String(request, StandardCharsets.ISO_8859_1));
                assertThat(reply).as("seed %d", seed).matches("(errno=-\\d+\n\n|[^\u0000]*errno=0\n\n)+");
            }
            assertThat(server.rejectedRequests()).as("seed %d", seed).isPositive();
            assertThat(exchange(socket, "get=1\n\n")).as("seed %d", seed).endsWith("errno=0\n\n");
        }
    }

    /** Reads until the server closes or resets (or the 10 s deadline closes our side). */
    private static String readToEnd(SocketChannel ch) throws IOException {
        Thread deadline = deadline(ch);
        try {
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            try {
                while (in.hasRemaining() && ch.read(in) >= 0) {
                    // until end of stream
                }
            } catch (java.net.SocketException e) {
                // reset: the server closed with our request unread
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
        } finally {
            deadline.interrupt();
        }
    }

    @Test
    void anEndlessRequestIsAnsweredEinvalAndOthersAreStillServed() throws Exception {
        Path socket = dir.resolve("t7.sock");
        try (UapiServer server = UapiServer.start("t7", socket, new FakeDevice("t7"));
                SocketChannel endless = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] peer = ("public_key=" + "ab".repeat(32) + "\n").getBytes(StandardCharsets.US_ASCII);
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    endless.write(ByteBuffer.wrap("set=1\n".getBytes(StandardCharsets.US_ASCII)));
                    while (true) {
                        written.addAndGet(endless.write(ByteBuffer.wrap(peer))); // never the empty line
                    }
                } catch (IOException e) {
                    // the server hung up
                }
            });
            assertThat(exchange(socket, "get=1\n\n")).isEqualTo("errno=0\n\n"); // served meanwhile
            assertThat(readToEnd(endless)).isEqualTo("errno=-22\n\n");
            writer.join(10_000);
            assertThat(writer.isAlive()).isFalse();
            // cut off at 1 MiB (plus what the socket buffers held), not after a million lines
            assertThat(written.get()).isLessThan(4L << 20);
            assertThat(server.rejectedRequests()).isEqualTo(1);
            assertThat(exchange(socket, "get=1\n\n")).isEqualTo("errno=0\n\n");
        }
    }

    @Test
    void aClientThatStallsIsDisconnectedAndClientsBeyondTheLimitAreRefused() throws Exception {
        Path socket = dir.resolve("t8.sock");
        UapiServer.Limits limits = new UapiServer.Limits(2, 1 << 20, java.time.Duration.ofSeconds(2), ServerSocketChannel::accept);
        try (UapiServer server = UapiServer.start("t8", socket, new FakeDevice("t8"), limits);
                SocketChannel stalled = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            stalled.write(ByteBuffer.wrap("set=1\nlisten_port=1\n".getBytes(StandardCharsets.US_ASCII)));
            // both slots taken: a third client is closed at once, unanswered
            try (SocketChannel third = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                try {
                    third.write(ByteBuffer.wrap("get=1\n\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    // the server may close it before the request is even written (EPIPE): refused all the same
                }
                assertThat(readToEnd(third)).isEmpty();
            }
            assertThat(server.refusedClients()).isEqualTo(1);
            // the stalled and the idle client are disconnected after 2 s (long enough for a loaded machine), unanswered
            assertThat(readToEnd(stalled)).isEmpty();
            assertThat(readToEnd(idle)).isEmpty();
            Waiter.until("two clients timed out", java.time.Duration.ofSeconds(5), () -> server.timedOutClients() == 2);
            assertThat(exchange(socket, "get=1\n\n")).isEqualTo("errno=0\n\n"); // the slots are free again
        }
    }

    @Test
    void acceptFailuresAreRetriedNotFatal() throws Exception {
        Path socket = dir.resolve("t9.sock");
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger(3);
        UapiServer.Limits limits = new UapiServer.Limits(64, 1 << 20, java.time.Duration.ofSeconds(10), s -> {
            if (failures.getAndDecrement() > 0) {
                throw new IOException("accept: EMFILE (Too many open files)");
            }
            return s.accept();
        });
        try (UapiServer server = UapiServer.start("t9", socket, new FakeDevice("t9"), limits)) {
            assertThat(exchange(socket, "get=1\n\n")).isEqualTo("errno=0\n\n");
            assertThat(server.acceptFailures()).isEqualTo(3);
        }
    }

    @Test
    void publishingNeverReplacesALiveSocketButDoesReplaceAStaleOne() throws Exception {
        Path socket = dir.resolve("t10.sock");
        Path temp = dir.resolve("t10.tmp");
        try (ServerSocketChannel ours = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ours.bind(UnixDomainSocketAddress.of(temp));
            live.bind(UnixDomainSocketAddress.of(socket)); // appeared after the first check
            Object liveKey = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            assertThatThrownBy(() -> UapiServer.publish("t10", temp, socket))
                    .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("another device owns the name t10");
            assertThat(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(liveKey);

            live.close(); // now stale
            UapiServer.publish("t10", temp, socket);
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                // the new name reaches our listening socket (link(2) of a socket file works)
                ours.configureBlocking(false);
                Waiter.until("accepted on the linked name", java.time.Duration.ofSeconds(5), () -> {
                    try {
                        SocketChannel a = ours.accept();
                        if (a != null) {
                            a.close();
                        }
                        return a != null;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        }
    }

    @Test
    void startLeavesNothingButTheSocketInTheDirectory() throws Exception {
        Path socket = dir.resolve("run/t11.sock");
        try (UapiServer server = UapiServer.start("t11", socket, new FakeDevice("t11"))) {
            try (var list = Files.list(socket.getParent())) {
                assertThat(list.toList()).containsExactly(socket);
            }
        }
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> UapiServer.start("t12", open.resolve("t12.sock"), new FakeDevice("t12")))
                .isInstanceOf(IOException.class)
                .hasMessage(open + " is writable by its group or by everyone (mode rwxrwxrwx); refusing to serve UAPI sockets in it (chmod 755 it)");
        assertThat(open.resolve("t12.sock")).doesNotExist();
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (UapiServer server = UapiServer.start("t12", open.resolve("t12.sock"), new FakeDevice("t12"))) {
            assertThat(UapiClient.of("t12", server.socket()).status().peers()).isEmpty();
        }
    }

    @Test
    void closeLetsARequestBeingAppliedBeAnswered() throws Exception {
        Path socket = dir.resolve("t13.sock");
        FakeDevice device = new FakeDevice("t13");
        java.util.concurrent.CountDownLatch applying = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        org.cunicu4j.wireguard.control.WireGuardControl slow = new org.cunicu4j.wireguard.control.WireGuardControl() {
            @Override
            public String name() {
                return "t13";
            }

            @Override
            public DeviceStatus status() {
                return device.status();
            }

            @Override
            public void apply(DeviceUpdate update) throws IOException {
                applying.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                device.apply(update);
            }
        };
        UapiServer server = UapiServer.start("t13", socket, slow);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap("set=1\nlisten_port=7\n\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(applying.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread closer = Thread.ofVirtual().start(server::close);
            Waiter.until("close waits for the request", java.time.Duration.ofSeconds(5),
                    () -> closer.getState() == Thread.State.TIMED_WAITING || closer.getState() == Thread.State.WAITING);
            release.countDown();
            assertThat(readToEnd(c)).isEqualTo("errno=0\n\n");
            closer.join(5_000);
            assertThat(closer.isAlive()).isFalse();
        }
        assertThat(device.status().listenPort()).isEqualTo(7);
        assertThat(socket).doesNotExist();
    }
}
