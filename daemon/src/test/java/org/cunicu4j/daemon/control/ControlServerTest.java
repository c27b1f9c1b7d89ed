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
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.api.DaemonEvent;
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
            assertThat(c.status()).isEqualTo(FakeDaemonApi.fixedStatus());
            c.sync();
            c.sync();
            assertThat(api.syncs.get()).isEqualTo(2);
            assertThat(c.restartPeer("wg0", FakeDaemonApi.PEER_A)).isTrue();
            assertThat(c.restartPeer("wg1", FakeDaemonApi.PEER_A)).isFalse();
            assertThat(c.restartPeer("wg0", Key.of(FakeDaemonApi.filled(9), Key.Type.PUBLIC))).isFalse();
            assertThat(api.restarts.get()).isEqualTo(3);
            c.shutdown();
            assertThat(api.shutdown.await(5, TimeUnit.SECONDS)).as("shutdown reached the daemon").isTrue();
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
            assertThat(files.map(p -> p.getFileName().toString())).as("no private directory left behind").containsExactly("c.sock");
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
            assertThat(c.status().pid()).isEqualTo(4242);
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
        try (ControlClient c = client()) {
            assertThat(c.status()).as("seed " + seed).isEqualTo(FakeDaemonApi.fixedStatus());
        }
        assertThat(s.malformedRequests()).as("seed " + seed).isPositive();
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
