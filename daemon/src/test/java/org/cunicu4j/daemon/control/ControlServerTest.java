package org.cunicu4j.daemon.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.control.proto.Request;
import org.cunicu4j.daemon.control.proto.Response;
import org.cunicu4j.daemon.control.proto.StatusRequest;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ControlServerTest {
    @TempDir
    Path dir;

    private final FakeDaemonApi api = new FakeDaemonApi();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private Path sock() {
        return dir.resolve("c.sock");
    }

    private ControlServer start(ControlServer.Limits limits) throws IOException {
        ControlServer s = ControlServer.start(sock(), api, limits, Clock.systemUTC());
        toClose.add(s);
        return s;
    }

    private ControlServer start() throws IOException {
        return start(ControlServer.Limits.DEFAULT);
    }

    private ControlClient client() throws IOException {
        ControlClient c = ControlClient.connect(sock());
        toClose.add(c);
        return c;
    }

    @Test
    void statusSyncRestartAndShutdownRoundTrip() throws Exception {
        start();
        try (ControlClient c = ControlClient.connect(sock())) {
            DaemonStatus got = c.status();
            assertThat(got.interfaces()).isEqualTo(FakeDaemonApi.fixedStatus().interfaces());
            assertThat(got.withCounters(Map.of())).isEqualTo(FakeDaemonApi.fixedStatus().withCounters(got.counters()));
            assertThat(got.counters()).containsExactlyInAnyOrderEntriesOf(Map.of("control_malformed_requests", 0L,
                    "control_refused_clients", 0L, "control_idle_clients_closed", 0L, "control_dropped_events", 0L,
                    "control_unencodable_events", 0L));
            c.sync();
            c.sync();
            assertThat(api.syncs.get()).isEqualTo(2);
            assertThat(c.restartPeer("wg0", FakeDaemonApi.PEER_A)).isTrue();
            assertThat(c.restartPeer("wg1", FakeDaemonApi.PEER_A)).isFalse();
            assertThat(c.restartPeer("wg0", Key.of(FakeDaemonApi.filled(9), Key.Type.PUBLIC))).isFalse();
            assertThat(api.restarts.get()).isEqualTo(3);
            c.shutdown();
            assertThat(api.shutdown.getCount()).as("the daemon was asked before the answer").isZero();
            assertThat(c.status().interfaces()).hasSize(1); // the connection keeps serving
        }
    }

    @Test
    void restartOfAnUnknownPeerIsAnsweredWithTheReason() throws Exception {
        start();
        try (SocketChannel ch = raw()) {
            Response r = send(ch, Request.newBuilder().setRestartPeer(
                    org.cunicu4j.daemon.control.proto.RestartPeerRequest.newBuilder().setIface("wg0")
                            .setPublicKey(com.google.protobuf.ByteString.copyFrom(FakeDaemonApi.filled(9)))).build());
            assertThat(r.getCode()).isEqualTo(Response.Code.NOT_FOUND);
            assertThat(r.getError()).isEqualTo("no peer CQkJCQkJ… on wg0");
        }
    }

    @Test
    void aFailingDaemonCallIsAnsweredWithItsMessage() throws Exception {
        api.status = null; // encode fails with an NPE: the server answers FAILED and keeps serving
        ControlServer s = start();
        try (ControlClient c = client()) {
            assertThatThrownBy(c::status).isInstanceOf(ControlException.class).hasMessageStartingWith("status: status failed");
            api.status = FakeDaemonApi.fixedStatus();
            assertThat(c.status().pid()).isEqualTo(4242);
        }
        assertThat(s.malformedRequests()).isZero();
    }

    @Test
    void watchDeliversEventsInOrderUntilTheClientCloses() throws Exception {
        start();
        ControlClient c = client();
        BlockingQueue<DaemonEvent> got = new LinkedBlockingQueue<>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            try {
                c.watch(got::add);
            } catch (IOException e) {
                got.add(new DaemonEvent(null, DaemonEvent.Type.ERROR, null, null, null, null, e.toString()));
            }
        });
        assertThat(api.watching.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 200; i++) {
            api.emit(FakeDaemonApi.event(i));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(FakeDaemonApi.event(i));
        }
        c.close();
        watcher.join(Duration.ofSeconds(5));
        assertThat(watcher.isAlive()).as("watch returned after close").isFalse();
        assertThat(got).as("no error from a watch ended by close").isEmpty();
        assertThat(api.unwatched.await(5, TimeUnit.SECONDS)).as("the server closed its watch handle").isTrue();
        assertThat(api.listeners).isEmpty();
    }

    @Test
    void aSlowWatcherGetsEventsDroppedAndNeverBlocksTheEmitter() throws Exception {
        ControlServer s = start(new ControlServer.Limits(4, 1024, Duration.ofSeconds(30), 16));
        ControlClient c = client();
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<DaemonEvent> got = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try {
                c.watch(e -> {
                    try {
                        release.await(); // the client stops reading: socket buffers and then the queue fill
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                    got.add(e);
                });
            } catch (IOException e) {
                got.add(new DaemonEvent(null, DaemonEvent.Type.ERROR, null, null, null, null, e.toString()));
            }
        });
        assertThat(api.watching.await(5, TimeUnit.SECONDS)).isTrue();
        int n = 50_000; // far more than the socket buffers hold
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < n; i++) {
                api.emit(FakeDaemonApi.event(i));
            }
        }, "the emitter was blocked by a slow watcher");
        assertThat(s.droppedEvents()).isPositive();
        release.countDown();
        // every event is either delivered (in order) or counted in a notice
        long lastIndex = -1;
        long delivered = 0;
        long noticed = 0;
        int notices = 0;
        while (delivered + noticed < n) {
            DaemonEvent e = got.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event or notice arrives (" + delivered + " delivered, " + noticed + " noticed)").isNotNull();
            if (e.type() == DaemonEvent.Type.EVENTS_DROPPED) {
                notices++;
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) events? dropped: this watcher read too slowly")
                        .matcher(e.message());
                assertThat(m.matches()).as(e.message()).isTrue();
                noticed += Long.parseLong(m.group(1));
            } else {
                assertThat(e.type()).isEqualTo(DaemonEvent.Type.PEER_STATE_CHANGED);
                long idx = Long.parseLong(e.message().substring(1));
                assertThat(idx).as("events in order").isGreaterThan(lastIndex);
                lastIndex = idx;
                delivered++;
            }
        }
        assertThat(notices).isPositive();
        assertThat(noticed).isEqualTo(s.droppedEvents());
        assertThat(delivered + noticed).isEqualTo(n);
        // the last notice is sent once the queue is empty: it has room again
        DaemonEvent last = new DaemonEvent(null, DaemonEvent.Type.SIGNALING, null, null, null, null, "after");
        api.emit(last);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo(last);
    }

    @Test
    void socketIsMode0600() throws Exception {
        start();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock()))).isEqualTo("rw-------");
        assertThat(SocketFiles.isSocketFile(sock())).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no private directory left behind")
                    .containsExactlyInAnyOrder("c.sock", "c.sock.lock");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("c.sock.lock")))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(2);
        }
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(sock()));
        dead.close(); // the file stays: a daemon that died
        assertThat(SocketFiles.isSocketFile(sock())).isTrue();
        start();
        try (ControlClient c = client()) {
            assertThat(c.status().pid()).isEqualTo(4242);
        }
    }

    @Test
    void aLiveSocketIsRefusedNamingThePath() throws Exception {
        start();
        FakeDaemonApi other = new FakeDaemonApi();
        assertThatThrownBy(() -> ControlServer.start(sock(), other))
                .isInstanceOf(SocketInUseException.class)
                .hasMessageContaining(sock().toString())
                .hasMessageContaining("another daemon serves it")
                .satisfies(e -> assertThat(((SocketInUseException) e).live()).isTrue());
        try (ControlClient c = client()) {
            assertThat(c.status().pid()).as("the first daemon still serves").isEqualTo(4242);
        }
    }

    @Test
    void aFileThatIsNotASocketIsRefused() throws Exception {
        Files.writeString(sock(), "not a socket");
        assertThatThrownBy(() -> ControlServer.start(sock(), api))
                .isInstanceOf(SocketInUseException.class)
                .hasMessageContaining(sock().toString())
                .hasMessageContaining("is not a socket");
        assertThat(Files.readString(sock())).isEqualTo("not a socket");
    }

    @Test
    void closeRemovesTheFileAndEndsStreams() throws Exception {
        ControlServer s = ControlServer.start(sock(), api);
        ControlClient watching = client();
        ControlClient idle = client();
        assertThat(idle.status().pid()).isEqualTo(4242);
        CountDownLatch ended = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try {
                watching.watch(e -> {});
            } catch (IOException ignored) {
                // also an end
            }
            ended.countDown();
        });
        assertThat(api.watching.await(5, TimeUnit.SECONDS)).isTrue();
        s.close();
        assertThat(Files.exists(sock())).isFalse();
        assertThat(ended.await(5, TimeUnit.SECONDS)).as("the watch stream ended").isTrue();
        assertThatThrownBy(idle::status).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ControlClient.connect(sock()))
                .isInstanceOf(NoDaemonException.class)
                .hasMessage("no daemon at " + sock() + " (the socket does not exist)");
        s.close(); // idempotent
    }

    @Test
    void oversizedRequestIsAnsweredCountedAndClosed() throws Exception {
        ControlServer s = start(new ControlServer.Limits(4, 1024, Duration.ofSeconds(30), 16));
        try (SocketChannel ch = raw()) {
            ch.write(ByteBuffer.allocate(4).putInt(1 << 30).flip());
            Response r = read(ch);
            assertThat(r.getCode()).isEqualTo(Response.Code.BAD_REQUEST);
            assertThat(r.getError()).isEqualTo("request refused: a message of 1073741824 bytes exceeds the limit of 1024 bytes");
            assertThat(ch.read(ByteBuffer.allocate(1))).as("closed after").isEqualTo(-1);
        }
        assertThat(s.malformedRequests()).isEqualTo(1);
        try (ControlClient c = client()) {
            assertThat(c.status().counters()).as("status shows the count").containsEntry("control_malformed_requests", 1L);
        }
    }

    @Test
    void garbageIsAnsweredCountedAndClosed() throws Exception {
        ControlServer s = start();
        try (SocketChannel ch = raw()) {
            byte[] junk = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
            ch.write(ByteBuffer.allocate(4 + junk.length).putInt(junk.length).put(junk).flip());
            Response r = read(ch);
            assertThat(r.getCode()).isEqualTo(Response.Code.BAD_REQUEST);
            assertThat(r.getError()).startsWith("request refused: not a control request");
            assertThat(ch.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
        assertThat(s.malformedRequests()).isEqualTo(1);
        try (ControlClient c = client()) {
            assertThat(c.status().pid()).isEqualTo(4242);
        }
    }

    @Test
    void anEmptyRequestIsAnsweredAndTheConnectionKept() throws Exception {
        ControlServer s = start();
        try (SocketChannel ch = raw()) {
            Response r = send(ch, Request.getDefaultInstance());
            assertThat(r.getCode()).isEqualTo(Response.Code.BAD_REQUEST);
            assertThat(r.getError()).startsWith("empty request");
            Response st = send(ch, Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build());
            assertThat(st.getStatus().getPid()).isEqualTo(4242);
        }
        assertThat(s.malformedRequests()).isEqualTo(1);
    }

    @Test
    void randomBytesNeverBreakTheServer() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        ControlServer s = start(new ControlServer.Limits(8, 4096, Duration.ofSeconds(5), 16));
        for (int i = 0; i < 300; i++) {
            try (SocketChannel ch = raw()) {
                byte[] junk = new byte[rnd.nextInt(64)];
                rnd.nextBytes(junk);
                ByteBuffer b;
                if (rnd.nextBoolean()) { // a well-framed body of random bytes
                    b = ByteBuffer.allocate(4 + junk.length).putInt(junk.length).put(junk).flip();
                } else { // random framing too
                    b = ByteBuffer.wrap(junk);
                }
                ch.write(b);
                ch.shutdownOutput();
                ByteBuffer sink = ByteBuffer.allocate(4096);
                try {
                    while (ch.read(sink.clear()) >= 0) {
                        // drain answers until the server closes
                    }
                } catch (IOException reset) {
                    // closed with our bytes unread: a reset, also an end
                }
            }
        }
        assertThat(s.malformedRequests()).as("seed " + seed).isPositive();
        try (ControlClient c = client()) {
            DaemonStatus got = c.status();
            assertThat(got.interfaces()).as("seed " + seed).isEqualTo(FakeDaemonApi.fixedStatus().interfaces());
            assertThat(got.counters()).as("seed " + seed).containsEntry("control_malformed_requests", s.malformedRequests());
        }
    }

    @Test
    void clientsBeyondTheLimitAreToldAndClosed() throws Exception {
        ControlServer s = start(new ControlServer.Limits(1, 1024, Duration.ofSeconds(30), 16));
        try (ControlClient first = client()) {
            assertThat(first.status().pid()).isEqualTo(4242);
            try (ControlClient second = ControlClient.connect(sock())) {
                assertThatThrownBy(second::status).isInstanceOf(ControlException.class)
                        .hasMessage("status: too many control clients (1); try again later");
            }
            assertThat(s.refusedClients()).isEqualTo(1);
        }
    }

    @Test
    void anIdleClientIsDisconnected() throws Exception {
        ControlServer s = start(new ControlServer.Limits(4, 1024, Duration.ofMillis(200), 16));
        try (SocketChannel ch = raw()) {
            assertThat(ch.read(ByteBuffer.allocate(1))).as("closed by the server").isEqualTo(-1);
        }
        assertThat(s.timedOutClients()).as("counted before the close").isEqualTo(1);
    }

    @Test
    void aMissingSocketIsNoDaemon() {
        assertThatThrownBy(() -> ControlClient.connect(dir.resolve("none.sock")))
                .isInstanceOf(NoDaemonException.class)
                .hasMessageStartingWith("no daemon at " + dir.resolve("none.sock"));
    }

    @Test
    void aStaleSocketIsNoDaemonForClients() throws Exception {
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(sock()));
        dead.close();
        assertThatThrownBy(() -> ControlClient.connect(sock()))
                .isInstanceOf(NoDaemonException.class)
                .hasMessageStartingWith("no daemon at " + sock() + " (nobody answers on it");
    }

    private void staleSocket() throws IOException {
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(sock()));
        dead.close(); // the file stays: a daemon that died
    }

    @Test
    void twoDaemonsStartingAtOnceNeverRemoveEachOthersSocket() throws Exception {
        for (int round = 0; round < 20; round++) {
            staleSocket();
            CyclicBarrier barrier = new CyclicBarrier(2);
            List<java.util.concurrent.Future<ControlServer>> results = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                for (int t = 0; t < 2; t++) {
                    results.add(pool.submit(() -> {
                        barrier.await();
                        return ControlServer.start(sock(), new FakeDaemonApi());
                    }));
                }
            }
            List<ControlServer> started = new ArrayList<>();
            List<Throwable> refused = new ArrayList<>();
            for (var f : results) {
                try {
                    started.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    refused.add(e.getCause());
                }
            }
            assertThat(started).as("round " + round + ": exactly one starts (refused: " + refused + ")").hasSize(1);
            assertThat(refused).singleElement().isInstanceOfSatisfying(SocketInUseException.class, e -> {
                assertThat(e.live()).isTrue();
                assertThat(e.getMessage()).contains(sock().toString());
            });
            try (ControlServer s = started.getFirst(); ControlClient c = ControlClient.connect(sock())) {
                assertThat(c.status().pid()).as("round " + round + ": the winner's socket answers").isEqualTo(4242);
            }
            assertThat(Files.exists(sock())).isFalse();
        }
    }

    @Test
    void closeLeavesASocketSomeoneElseReBoundAtThePath() throws Exception {
        ControlServer s = start();
        Files.delete(sock());
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(sock()));
            s.close();
            assertThat(SocketFiles.isSocketFile(sock())).as("the other socket stays").isTrue();
            try (SocketChannel ch = raw()) {
                assertThat(other.accept()).as("it still answers").isNotNull();
            }
        }
    }

    @Test
    void aListeningDaemonThatNeverAcceptsIsLiveAndProbingDoesNotHang() throws Exception {
        List<SocketChannel> queued = new ArrayList<>();
        try (ServerSocketChannel hung = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            hung.bind(UnixDomainSocketAddress.of(sock()), 1);
            for (int i = 0; i < 64; i++) { // fill the backlog: a blocking connect would now wait forever
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                queued.add(ch);
                ch.configureBlocking(false);
                try {
                    ch.connect(UnixDomainSocketAddress.of(sock()));
                } catch (IOException full) {
                    break;
                }
            }
            assertThat(UnixProbe.probe(sock())).isEqualTo(UnixProbe.Result.LIVE);
            assertThatThrownBy(() -> ControlServer.start(sock(), api))
                    .isInstanceOfSatisfying(SocketInUseException.class, e -> assertThat(e.live()).isTrue())
                    .hasMessageContaining("another daemon serves it");
        } finally {
            for (SocketChannel ch : queued) {
                ch.close();
            }
        }
        assertThat(UnixProbe.probe(sock())).as("closed, the file left").isEqualTo(UnixProbe.Result.STALE);
        Files.delete(sock());
        assertThat(UnixProbe.probe(sock())).as("vanished").isEqualTo(UnixProbe.Result.GONE);
    }

    @Test
    void anUnencodableEventIsSkippedCountedAndTheStreamGoesOn() throws Exception {
        ControlServer s = start();
        ControlClient c = client();
        BlockingQueue<DaemonEvent> got = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try {
                c.watch(got::add);
            } catch (IOException e) {
                got.add(new DaemonEvent(null, DaemonEvent.Type.ERROR, null, null, null, null, e.toString()));
            }
        });
        assertThat(api.watching.await(5, TimeUnit.SECONDS)).isTrue();
        api.emit(new DaemonEvent(null, null, "wg0", null, null, null, "no type"));
        api.emit(new DaemonEvent(null, DaemonEvent.Type.PEER_ADDED, "wg0",
                Key.of(FakeDaemonApi.filled(5), Key.Type.PRIVATE), null, null, "a private key"));
        api.emit(FakeDaemonApi.event(1));
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(FakeDaemonApi.event(1));
        assertThat(s.unencodableEvents()).isEqualTo(2);
        try (ControlClient other = ControlClient.connect(sock())) {
            assertThat(other.status().counters()).containsEntry("control_unencodable_events", 2L);
        }
    }

    @Test
    void aNullWatchHandleIsAnsweredFailed() throws Exception {
        api.nullWatchHandle = true;
        start();
        try (ControlClient c = client()) {
            assertThatThrownBy(() -> c.watch(e -> {})).isInstanceOf(ControlException.class)
                    .hasMessage("watch: watch failed: the daemon returned no watch handle");
        }
    }

    @Test
    void failingSyncRestartAndShutdownAreAnsweredFailed() throws Exception {
        api.failure = new IllegalStateException("the daemon is broken");
        start();
        try (ControlClient c = client()) {
            assertThatThrownBy(c::sync).isInstanceOf(ControlException.class).hasMessage("sync: sync failed: the daemon is broken");
            assertThatThrownBy(() -> c.restartPeer("wg0", FakeDaemonApi.PEER_A)).isInstanceOf(ControlException.class)
                    .hasMessage("restart: restart_peer failed: the daemon is broken");
            assertThatThrownBy(c::shutdown).isInstanceOf(ControlException.class)
                    .hasMessage("shutdown: shutdown failed: the daemon is broken");
            assertThat(api.shutdown.getCount()).as("it was asked").isZero();
            api.failure = null;
            assertThat(c.status().pid()).as("the connection keeps serving").isEqualTo(4242);
        }
    }

    @Test
    void aDisconnectedWatcherFreesItsSlot() throws Exception {
        start(new ControlServer.Limits(1, 1024, Duration.ofSeconds(30), 16));
        ControlClient watching = client();
        CountDownLatch ended = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try {
                watching.watch(e -> {});
            } catch (IOException ignored) {
                // closed
            }
            ended.countDown();
        });
        assertThat(api.watching.await(5, TimeUnit.SECONDS)).isTrue();
        watching.close();
        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(api.unwatched.await(5, TimeUnit.SECONDS)).as("the server ended the watch").isTrue();
        assertThat(statusWithin(Duration.ofSeconds(5)).pid()).as("the slot is free again").isEqualTo(4242);
    }

    @Test
    void aWatcherThatStopsReadingIsClosedAndFreesItsSlot() throws Exception {
        ControlServer s = start(new ControlServer.Limits(1, 1024, Duration.ofMillis(300), 16));
        try (SocketChannel ch = raw()) {
            Response ok = send(ch, Request.newBuilder().setWatch(org.cunicu4j.daemon.control.proto.WatchRequest.getDefaultInstance()).build());
            assertThat(ok.getCode()).isEqualTo(Response.Code.OK);
            assertThat(api.watching.await(5, TimeUnit.SECONDS)).isTrue();
            // never read again: the server's writes block once the socket buffers are full
            String big = "x".repeat(8192);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int i = 0;
            while (s.timedOutClients() == 0) {
                assertThat(System.nanoTime()).as("the stalled watcher is closed").isLessThan(deadline);
                api.emit(new DaemonEvent(null, DaemonEvent.Type.SIGNALING, null, null, null, null, big + i++));
                Thread.yield();
            }
            assertThat(api.unwatched.await(5, TimeUnit.SECONDS)).as("the server ended the watch").isTrue();
            assertThat(statusWithin(Duration.ofSeconds(5)).pid()).as("the slot is free again").isEqualTo(4242);
        }
    }

    @Test
    void aTimeOutOfRangeFromTheDaemonIsAControlException() throws Exception {
        org.cunicu4j.daemon.control.proto.Time far = org.cunicu4j.daemon.control.proto.Time.newBuilder()
                .setSeconds(Long.MAX_VALUE).build();
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(sock()));
            Thread daemon = Thread.ofVirtual().start(() -> {
                try (SocketChannel ch = fake.accept()) {
                    Frames.read(ch, 1 << 20);
                    Frames.write(ch, Response.newBuilder().setStatus(ControlCodec.encode(FakeDaemonApi.fixedStatus()).toBuilder()
                            .setStarted(far)).build().toByteArray());
                    Frames.read(ch, 1 << 20);
                    Frames.write(ch, Response.getDefaultInstance().toByteArray()); // watch accepted
                    Frames.write(ch, Response.newBuilder().setEvent(ControlCodec.encode(FakeDaemonApi.event(1)).toBuilder()
                            .setTime(far)).build().toByteArray());
                    Frames.read(ch, 1 << 20); // until the client closes
                } catch (IOException ignored) {
                    // the client closed
                }
            });
            try (ControlClient c = ControlClient.connect(sock())) {
                assertThatThrownBy(c::status).isInstanceOf(ControlException.class)
                        .hasMessageStartingWith("the daemon's status does not make sense: ");
                assertThatThrownBy(() -> c.watch(e -> {})).isInstanceOf(ControlException.class)
                        .hasMessageStartingWith("an event from the daemon does not make sense: ");
            }
            daemon.join(Duration.ofSeconds(5));
        }
    }

    @Test
    void closeWaitsForClientsStuckInTheDaemonUnderOneDeadline() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        api.statusGate = gate; // every status call hangs in the daemon
        ControlServer s = ControlServer.start(sock(), api);
        List<SocketChannel> stuck = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                SocketChannel ch = raw();
                stuck.add(ch);
                Frames.write(ch, Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build().toByteArray());
            }
            // 8 clients stuck: a join per client (1 s each) would take 8 s; one deadline takes about 2
            assertTimeoutPreemptively(Duration.ofSeconds(6), s::close, "close() waited per client");
            assertThat(Files.exists(sock())).as("the socket is removed all the same").isFalse();
        } finally {
            gate.countDown();
            for (SocketChannel ch : stuck) {
                ch.close();
            }
        }
    }

    @Test
    void closeFromARequestsOwnThreadCompletes() throws Exception {
        ControlServer s = ControlServer.start(sock(), api);
        CountDownLatch closed = new CountDownLatch(1);
        api.onShutdown = () -> {
            s.close(); // the daemon shuts down on the request's thread: close() must not join itself
            closed.countDown();
        };
        try (ControlClient c = ControlClient.connect(sock())) {
            try {
                c.shutdown();
            } catch (IOException expected) {
                // the server closed before it could answer
            }
        }
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(sock())).isFalse();
        try (ControlServer again = ControlServer.start(sock(), api)) {
            assertThat(again.socket()).as("the lock was given back").isEqualTo(sock());
        }
    }

    /** A status from a fresh client, retried while the server still answers BUSY (a slot is freed asynchronously). */
    private DaemonStatus statusWithin(Duration d) throws Exception {
        long deadline = System.nanoTime() + d.toNanos();
        while (true) {
            try (ControlClient c = ControlClient.connect(sock())) {
                return c.status();
            } catch (ControlException e) {
                if (!e.getMessage().contains("too many control clients") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.yield();
            }
        }
    }

    private SocketChannel raw() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock()));
        return ch;
    }

    private static Response send(SocketChannel ch, Request r) throws IOException {
        Frames.write(ch, r.toByteArray());
        return read(ch);
    }

    private static Response read(SocketChannel ch) throws IOException {
        byte[] f = Frames.read(ch, 1 << 20);
        assertThat(f).as("an answer").isNotNull();
        return Response.parseFrom(f);
    }
}
