package org.cunicu4j.stun.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMethod;
import org.cunicu4j.stun.url.Transport;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The allocation state machine against {@link FakeTurnServer} over in-memory UDP. */
class AllocationTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 3478);
    private static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.7", 7000);

    private FakeTurnServer server;
    private MemoryPacketConn clientEnd;

    private TurnConfig.Builder config(String user, String pass) {
        MemoryPacketConn[] pair = MemoryPacketConn.pair(CLIENT, SERVER);
        clientEnd = pair[0];
        server = new FakeTurnServer(pair[1], "alice", "wonderland");
        return TurnConfig.builder(SERVER, Transport.UDP).credentials(user, pass).udpConn(clientEnd)
                .rto(Duration.ofMillis(50)).requestTimeout(Duration.ofSeconds(2));
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void allocateAnswersTheChallengeWithLongTermCredentials() throws Exception {
        try (Allocation a = TurnClient.allocate(config("alice", "wonderland").lifetime(Duration.ofMinutes(5)).build())) {
            assertThat(a.relayedAddress()).isEqualTo(FakeTurnServer.RELAYED);
            assertThat(a.localAddress()).isEqualTo(FakeTurnServer.RELAYED);
            assertThat(a.mappedAddress()).contains(CLIENT);
            assertThat(a.lifetime()).isEqualTo(Duration.ofSeconds(600));
            assertThat(a.realm()).isEqualTo(FakeTurnServer.REALM);
            assertThat(a.rtt()).isPositive();

            var allocates = server.requests(StunMethod.ALLOCATE);
            assertThat(allocates).hasSize(2);
            StunMessage first = allocates.get(0);
            assertThat(first.requestedTransport()).hasValue(17);
            assertThat(first.lifetime()).hasValue(300);
            assertThat(first.hasMessageIntegrity()).isFalse();
            StunMessage second = allocates.get(1);
            assertThat(second.username()).contains("alice");
            assertThat(second.realm()).contains(FakeTurnServer.REALM);
            assertThat(second.nonce()).contains("nonce-1");
            assertThat(second.verifyMessageIntegrity(
                    org.cunicu4j.stun.StunCredentials.longTermKey("alice", "fake", "wonderland"))).isTrue();
            assertThat(second.verifyFingerprint()).isTrue();
        }
    }

    @Test
    void responsesWithABadOrMissingMessageIntegrityAreDiscardedAndTheRealOneWins() throws Exception {
        TurnConfig cfg = config("alice", "wonderland").build();
        server.forge = true;
        try (Allocation a = TurnClient.allocate(cfg)) {
            assertThat(a.relayedAddress()).isEqualTo(FakeTurnServer.RELAYED);
            a.createPermission(PEER.getAddress());
        }
    }

    @Test
    void onlyForgedResponsesMeanNoAnswerNotAProtocolError() {
        TurnConfig cfg = config("alice", "wonderland").requestTimeout(Duration.ofMillis(400)).build();
        server.forgeOnly = true;
        assertThatThrownBy(() -> TurnClient.allocate(cfg))
                .isInstanceOfSatisfying(TurnException.class,
                        e -> assertThat(e.kind()).isEqualTo(TurnException.Kind.TIMEOUT))
                .hasMessageContaining("did not answer the Allocate");
    }

    @Test
    void aRealmThatIsNoOpaqueStringIsAProtocolError() {
        TurnConfig cfg = config("alice", "wonderland").build();
        server.challengeRealm = "bad\u0007realm";
        assertThatThrownBy(() -> TurnClient.allocate(cfg))
                .isInstanceOfSatisfying(TurnException.class,
                        e -> assertThat(e.kind()).isEqualTo(TurnException.Kind.PROTOCOL))
                .hasMessageContaining("sent a realm \"bad\\u0007realm\" that is not a valid OpaqueString");
    }

    @Test
    void theUserNameGoesPreparedAsTheKeyIs() throws Exception {
        MemoryPacketConn[] pair = MemoryPacketConn.pair(CLIENT, SERVER);
        clientEnd = pair[0];
        server = new FakeTurnServer(pair[1], "al ice", "wonderland");
        TurnConfig cfg = TurnConfig.builder(SERVER, Transport.UDP).credentials("al\u2003ice", "wonderland")
                .udpConn(clientEnd).rto(Duration.ofMillis(50)).requestTimeout(Duration.ofSeconds(2)).build();
        try (Allocation a = TurnClient.allocate(cfg)) {
            assertThat(server.requests(StunMethod.ALLOCATE).getLast().username()).contains("al ice");
        }
    }

    @Test
    void anEmptyPasswordIsRefusedUpFront() {
        assertThatThrownBy(() -> TurnConfig.builder(SERVER, Transport.UDP).credentials("alice", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the TURN credentials of user \"alice\" have an empty password; long-term credentials "
                        + "need one");
    }

    @Test
    void aServerOfferingSha256GetsSha256() throws Exception {
        TurnConfig cfg = config("alice", "wonderland").build();
        server.sha256 = true;
        try (Allocation a = TurnClient.allocate(cfg)) {
            a.createPermission(PEER.getAddress());
            StunMessage allocate = server.requests(StunMethod.ALLOCATE).getLast();
            assertThat(allocate.passwordAlgorithm()).contains(org.cunicu4j.stun.PasswordAlgorithm.SHA256);
            assertThat(allocate.passwordAlgorithms()).isEqualTo(FakeTurnServer.OFFERED);
            assertThat(allocate.hasMessageIntegrity()).isFalse();
            assertThat(allocate.verifyMessageIntegritySha256(org.cunicu4j.stun.StunCredentials.longTermKey("alice",
                    "fake", "wonderland", org.cunicu4j.stun.PasswordAlgorithm.SHA256))).isTrue();
            assertThat(server.requests(StunMethod.CREATE_PERMISSION).getLast().passwordAlgorithm())
                    .contains(org.cunicu4j.stun.PasswordAlgorithm.SHA256);
        }
        assertThat(AuthenticatedRequests.passwordAlgorithmsBit("obMatJos2gAAAxyz")).isTrue();
        assertThat(AuthenticatedRequests.passwordAlgorithmsBit("obMatJos2AAAAxyz")).isFalse();
        assertThat(AuthenticatedRequests.passwordAlgorithmsBit("gAAAxyz")).isFalse();
    }

    @Test
    void aWrongPasswordIsReportedAsRejectedCredentialsForUserAtRealm() {
        assertThatThrownBy(() -> TurnClient.allocate(config("alice", "looking-glass").build()))
                .isInstanceOfSatisfying(TurnException.class, e -> {
                    assertThat(e.kind()).isEqualTo(TurnException.Kind.UNAUTHORIZED);
                    assertThat(e.errorCode()).isEqualTo(401);
                })
                .hasMessage("TURN server 10.0.0.2:3478 (udp) rejected the credentials for user \"alice\" "
                        + "at realm \"fake\" (401 Unauthorized)");
        assertThat(clientEnd.peer()).isNotNull();
    }

    @Test
    void withoutCredentialsTheChallengeIsReportedAsSuch() {
        assertThatThrownBy(() -> TurnClient.allocate(config("", "").build()))
                .isInstanceOfSatisfying(TurnException.class,
                        e -> assertThat(e.kind()).isEqualTo(TurnException.Kind.UNAUTHORIZED))
                .hasMessage("TURN server 10.0.0.2:3478 (udp) asks for long-term credentials (realm \"fake\") "
                        + "but no user name and password were given");
    }

    @Test
    void anAllocationThatCannotBeRefreshedEndsWithTheReason() throws Exception {
        TurnConfig cfg = config("alice", "wonderland").requestTimeout(Duration.ofMillis(300)).build();
        server.grantedLifetime = 1;
        Allocation a = TurnClient.allocate(cfg);
        server.silent = true;
        CompletableFuture<Throwable> receiver = CompletableFuture.supplyAsync(() -> {
            try {
                a.receive(new PacketBatch(1, 2048));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertThat(receiver.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        assertThat(a.failure()).get().extracting(Throwable::getMessage).asString()
                .startsWith("TURN allocation 198.51.100.1:50000 on 10.0.0.2:3478 (udp) could not be refreshed: "
                        + "TURN server 10.0.0.2:3478 (udp) did not answer the Refresh request");
        a.close();
        assertThat(server.requests(StunMethod.REFRESH)).allSatisfy(m -> assertThat(m.lifetime()).hasValue(600));
    }

    @Test
    void aSilentServerTimesOutWithinTheConfiguredTimeAfterRetransmitting() {
        TurnConfig cfg = config("alice", "wonderland").requestTimeout(Duration.ofMillis(600)).build();
        server.silent = true;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> TurnClient.allocate(cfg))
                .isInstanceOfSatisfying(TurnException.class,
                        e -> assertThat(e.kind()).isEqualTo(TurnException.Kind.TIMEOUT))
                .hasMessageStartingWith("TURN server 10.0.0.2:3478 (udp) did not answer the Allocate request within 0.6 s (");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("cut at 0.6 s, not the default 39.5 s")
                .isLessThan(Duration.ofSeconds(10));
        // 50, 100, 200 ms gaps fit in 600 ms: 4 transmissions (0, 50, 150, 350 ms), the next would be at 750;
        // a loaded machine fires timers late, and the 600 ms limit then cuts the schedule earlier
        assertThat(server.requests(StunMethod.ALLOCATE)).as("retransmitted, within the schedule").hasSizeBetween(2, 4);
    }

    @Test
    void aStaleNonceIsRetriedWithTheNewNonce() throws Exception {
        try (Allocation a = TurnClient.allocate(config("alice", "wonderland").build())) {
            server.staleNextMethod = StunMethod.CREATE_PERMISSION;
            a.createPermission(PEER.getAddress());
            assertThat(a.hasPermission(PEER.getAddress())).isTrue();
            assertThat(a.stats().staleNonces()).isEqualTo(1);
            var perms = server.requests(StunMethod.CREATE_PERMISSION);
            assertThat(perms).hasSize(2);
            assertThat(perms.get(0).nonce()).contains("nonce-1");
            assertThat(perms.get(1).nonce()).contains("nonce-2");
            assertThat(perms.get(1).xorPeerAddress()).contains(new InetSocketAddress(PEER.getAddress(), 0));
        }
    }

    @Test
    void sendWithoutChannelCreatesThePermissionThenUsesSendIndications() throws Exception {
        try (Allocation a = TurnClient.allocate(config("alice", "wonderland").build())) {
            PacketBatch out = batch(PEER, "hello");
            a.send(out);
            assertThat(a.stats().permissionPendingDrops()).as("the first datagram waits for no one").isEqualTo(1);
            Waiter.until("the permission", Duration.ofSeconds(2), () -> a.hasPermission(PEER.getAddress()));
            a.send(out);
            FakeTurnServer.Relayed r = server.sent.poll(2, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.peer()).isEqualTo(PEER);
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(r.channel()).isFalse();
            assertThat(server.requests(StunMethod.CREATE_PERMISSION)).as("one permission").hasSize(1);
            assertThat(out.buffer(0).position()).as("send leaves the position").isZero();

            server.dataIndication(PEER, "back".getBytes(StandardCharsets.UTF_8));
            server.dataIndication(new InetSocketAddress("203.0.113.99", 1), "no permission".getBytes(StandardCharsets.UTF_8));
            PacketBatch in = new PacketBatch(4, 2048);
            assertThat(a.receive(in)).isEqualTo(1);
            assertThat(in.address(0)).isEqualTo(PEER);
            assertThat(StandardCharsets.UTF_8.decode(in.buffer(0)).toString()).isEqualTo("back");
            Waiter.until("the stranger's Data indication is dropped", Duration.ofSeconds(2),
                    () -> a.stats().noPermissionDrops() == 1);
        }
    }

    @Test
    void concurrentSendersToANewPeerNeverBlockAndShareOneCreatePermission() throws Exception {
        try (Allocation a = TurnClient.allocate(config("alice", "wonderland").build())) {
            server.silent = true;
            long start = System.nanoTime();
            Thread[] senders = new Thread[4];
            for (int t = 0; t < senders.length; t++) {
                senders[t] = Thread.ofPlatform().start(() -> {
                    for (int k = 0; k < 10; k++) {
                        try {
                            a.send(batch(PEER, "x"));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                });
            }
            for (Thread t : senders) {
                t.join(10_000);
            }
            // A sender that waited for the silent server would wait out the request timeout (39.5 s).
            assertThat(senders).noneMatch(Thread::isAlive);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no sender waited for the server")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(a.stats().permissionPendingDrops()).isEqualTo(40);
            server.silent = false;
            Waiter.until("the permission, from a retransmission", Duration.ofSeconds(3),
                    () -> a.hasPermission(PEER.getAddress()));
            assertThat(server.requests(StunMethod.CREATE_PERMISSION).stream().map(StunMessage::transactionId)
                    .distinct()).as("one transaction").hasSize(1);
        }
    }

    @Test
    void aFailedPermissionOrChannelRefreshIsRetriedAndForgottenOnExpiry() throws Exception {
        TurnConfig cfg = config("alice", "wonderland").requestTimeout(Duration.ofMillis(150))
                .permissionRefresh(Duration.ofMillis(200)).channelRefresh(Duration.ofMillis(200))
                .refreshRetry(Duration.ofMillis(50)).permissionLifetime(Duration.ofMillis(700))
                .channelLifetime(Duration.ofMillis(700)).build();
        InetAddress other = InetAddress.getByName("203.0.113.8");
        try (Allocation a = TurnClient.allocate(cfg)) {
            a.createPermission(other);
            a.bindChannel(PEER);
            int permissionsBefore = server.requests(StunMethod.CREATE_PERMISSION).size();
            server.silent = true;
            Waiter.until("permission and channel forgotten", Duration.ofSeconds(5),
                    () -> !a.hasPermission(other) && a.channel(PEER).isEmpty());
            assertThat(server.requests(StunMethod.CREATE_PERMISSION).stream().map(StunMessage::transactionId)
                    .distinct().count() - permissionsBefore).as("retried, not just once per tick")
                    .isGreaterThanOrEqualTo(3);
            assertThat(a.failure()).isEmpty();
            server.silent = false;
            a.send(batch(new InetSocketAddress(other, 9), "again"));
            Waiter.until("the permission is asked for again", Duration.ofSeconds(3), () -> a.hasPermission(other));
        }
    }

    @Test
    void twoThreadsBindingOnePeerShareOneChannel() throws Exception {
        try (Allocation a = TurnClient.allocate(config("alice", "wonderland").build())) {
            CompletableFuture<Integer> one = CompletableFuture.supplyAsync(() -> bind(a));
            CompletableFuture<Integer> two = CompletableFuture.supplyAsync(() -> bind(a));
            assertThat(one.get(5, TimeUnit.SECONDS)).isEqualTo(two.get(5, TimeUnit.SECONDS)).isEqualTo(0x4000);
            assertThat(server.requests(StunMethod.CHANNEL_BIND).stream().map(StunMessage::transactionId).distinct())
                    .hasSize(1);
            assertThat(a.bindChannel(new InetSocketAddress("203.0.113.8", 1))).isEqualTo(0x4001);
        }
    }

    private static int bind(Allocation a) {
        try {
            return a.bindChannel(PEER);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aBoundChannelCarriesDataBothWays() throws Exception {
        try (Allocation a = TurnClient.allocate(config("alice", "wonderland").build())) {
            int ch = a.bindChannel(PEER);
            assertThat(ch).isEqualTo(0x4000);
            assertThat(a.bindChannel(PEER)).as("same peer, same channel").isEqualTo(ch);
            assertThat(a.channel(PEER)).contains(ch);
            assertThat(a.hasPermission(PEER.getAddress())).isTrue();
            assertThat(server.channels).containsEntry(ch, PEER);

            a.send(batch(PEER, "via channel"));
            FakeTurnServer.Relayed r = server.sent.poll(2, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.channel()).isTrue();
            assertThat(r.peer()).isEqualTo(PEER);
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("via channel");
            assertThat(server.requests(StunMethod.CREATE_PERMISSION)).isEmpty();

            server.channelData(ch, "reply".getBytes(StandardCharsets.UTF_8));
            server.channelData(0x4fff, "stray".getBytes(StandardCharsets.UTF_8));
            server.dataIndication(PEER, "after".getBytes(StandardCharsets.UTF_8));
            PacketBatch in = new PacketBatch(1, 2048);
            a.receive(in);
            assertThat(in.address(0)).isEqualTo(PEER);
            assertThat(StandardCharsets.UTF_8.decode(in.buffer(0)).toString()).isEqualTo("reply");
            a.receive(in);
            assertThat(StandardCharsets.UTF_8.decode(in.buffer(0)).toString()).isEqualTo("after");
            assertThat(a.stats().unknownChannel()).isEqualTo(1);
        }
    }

    @Test
    void allocationPermissionsAndChannelsAreRefreshedOnTheirTimers() throws Exception {
        TurnConfig cfg = config("alice", "wonderland").permissionRefresh(Duration.ofMillis(200))
                .channelRefresh(Duration.ofMillis(300)).build();
        server.grantedLifetime = 1;
        try (Allocation a = TurnClient.allocate(cfg)) {
            assertThat(a.lifetime()).isEqualTo(Duration.ofSeconds(1));
            a.createPermission(InetAddress.getByName("203.0.113.8"));
            a.bindChannel(PEER);
            Waiter.until("a refresh at 3/4 of the 1 s lifetime, permission and channel refreshes",
                    Duration.ofSeconds(5), () -> a.stats().refreshes() >= 2 && a.stats().permissionRefreshes() >= 2
                            && a.stats().channelRefreshes() >= 2);
            assertThat(server.requests(StunMethod.REFRESH)).allSatisfy(m -> assertThat(m.lifetime()).hasValue(600));
            var perms = server.requests(StunMethod.CREATE_PERMISSION);
            assertThat(perms.getLast().xorPeerAddresses()).extracting(InetSocketAddress::getAddress)
                    .containsExactlyInAnyOrder(InetAddress.getByName("203.0.113.8"), PEER.getAddress());
            var binds = server.requests(StunMethod.CHANNEL_BIND);
            assertThat(binds.getLast().channelNumber()).hasValue(0x4000);
            assertThat(a.failure()).isEmpty();
        }
    }

    @Test
    void aLinkClosedUnderTheAllocationEndsItWithTheReason() throws Exception {
        Allocation a = TurnClient.allocate(config("alice", "wonderland").build());
        clientEnd.close(); // the socket goes away under the transport's reader
        Waiter.until("the allocation notices", Duration.ofSeconds(5), () -> a.failure().isPresent());
        assertThat(a.failure().get()).hasMessage("the link to TURN server 10.0.0.2:3478 (udp) broke: "
                + "its socket was closed");
        assertThatThrownBy(() -> a.receive(new PacketBatch(1, 2048))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> a.createPermission(PEER.getAddress())).as("later requests fail with the reason")
                .hasMessage(a.failure().get().getMessage());
        a.close();
    }

    @Test
    void closeDeallocatesAndWakesABlockedReceiver() throws Exception {
        Allocation a = TurnClient.allocate(config("alice", "wonderland").build());
        CompletableFuture<Throwable> receiver = CompletableFuture.supplyAsync(() -> {
            try {
                a.receive(new PacketBatch(1, 2048));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        a.close();
        a.close();
        assertThat(receiver.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        var refreshes = server.requests(StunMethod.REFRESH);
        assertThat(refreshes).hasSize(1);
        assertThat(refreshes.getFirst().lifetime()).hasValue(0);
        assertThatThrownBy(() -> a.send(batch(PEER, "x"))).isInstanceOf(ClosedChannelException.class);
        assertThat(a.failure()).isEmpty();
    }

    private static PacketBatch batch(InetSocketAddress to, String text) {
        PacketBatch b = new PacketBatch(1, 2048);
        b.buffer(0).put(text.getBytes(StandardCharsets.UTF_8)).flip();
        b.setAddress(0, to);
        b.setCount(1);
        return b;
    }
}
