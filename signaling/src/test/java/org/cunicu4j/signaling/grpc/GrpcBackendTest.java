package org.cunicu4j.signaling.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.signaling.backend.Backends;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.EncryptedMessage;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.proto.signaling.SignalingGrpc;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.seal.Rejection;
import org.cunicu4j.signaling.seal.Sealer;
import org.cunicu4j.signaling.server.ServerConfig;
import org.cunicu4j.signaling.server.SignalingServer;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrpcBackendTest {

    private static final Duration T = Duration.ofSeconds(10);

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private SignalingServer server(int port) {
        SignalingServer s = SignalingServer.start(ServerConfig.listen(new InetSocketAddress("127.0.0.1", port))
                .withGracePeriod(Duration.ofSeconds(2)));
        cleanup.add(s);
        return s;
    }

    private GrpcBackend client(SignalingServer s) {
        GrpcBackend b = GrpcBackend.open(GrpcBackendOptions.insecure("127.0.0.1", s.port())
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400)));
        cleanup.add(b);
        return b;
    }

    private static Message credentials(String ufrag) {
        return Message.newBuilder().setCredentials(Credentials.newBuilder().setUfrag(ufrag).setPwd("p".repeat(32))).build();
    }

    private static void await(java.util.concurrent.CompletableFuture<Void> f) throws Exception {
        f.get(T.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void subscribedAfterTheMarkerThenSealedMessagesArriveOpened() throws Exception {
        SignalingServer s = server(0);
        Key alice = Key.generatePrivate();
        Key bob = Key.generatePrivate();
        GrpcBackend a = client(s);
        GrpcBackend b = client(s);
        List<Opened> got = new CopyOnWriteArrayList<>();
        Subscription sub = b.subscribe(KeyPair.of(bob, alice.publicKey()), got::add);
        await(sub.subscribed());
        assertThat(b.markers()).isEqualTo(1);
        assertThat(s.stats().subscribers()).isEqualTo(1);

        await(a.publish(credentials("hello"), KeyPair.of(alice, bob.publicKey())));
        Waiter.until("bob gets alice's credentials", T, () -> got.size() == 1);
        assertThat(got.getFirst().sender()).isEqualTo(alice.publicKey());
        assertThat(got.getFirst().message().getCredentials().getUfrag()).isEqualTo("hello");
        assertThat(b.stats().opened()).isEqualTo(1);
        assertThat(b.stats().rejectedTotal()).isZero();
    }

    @Test
    void severalClientsEachMessageReachesExactlyItsRecipient() throws Exception {
        SignalingServer s = server(0);
        int n = 4;
        List<Key> keys = new ArrayList<>();
        List<GrpcBackend> clients = new ArrayList<>();
        // inbox.get(to).get(from) = ufrags received by `to` on its subscription for `from`
        List<Map<Integer, List<String>>> inbox = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(Key.generatePrivate());
            clients.add(client(s));
            inbox.add(new ConcurrentHashMap<>());
        }
        List<Subscription> subs = new ArrayList<>();
        for (int to = 0; to < n; to++) {
            for (int from = 0; from < n; from++) {
                if (from != to) {
                    List<String> box = new CopyOnWriteArrayList<>();
                    inbox.get(to).put(from, box);
                    subs.add(clients.get(to).subscribe(KeyPair.of(keys.get(to), keys.get(from).publicKey()),
                            o -> box.add(o.message().getCredentials().getUfrag())));
                }
            }
        }
        for (Subscription sub : subs) {
            await(sub.subscribed());
        }
        for (int from = 0; from < n; from++) {
            for (int to = 0; to < n; to++) {
                if (from != to) {
                    await(clients.get(from).publish(credentials(from + "to" + to),
                            KeyPair.of(keys.get(from), keys.get(to).publicKey())));
                }
            }
        }
        Waiter.until("every message arrived", T, () -> inbox.stream()
                .allMatch(m -> m.values().stream().allMatch(box -> !box.isEmpty())));
        for (int to = 0; to < n; to++) {
            for (int from = 0; from < n; from++) {
                if (from != to) {
                    assertThat(inbox.get(to).get(from)).as("%d from %d", to, from).containsExactly(from + "to" + to);
                }
            }
            // one stream per topic, however many subscriptions share it
            assertThat(clients.get(to).streamsOpened()).isEqualTo(1);
            assertThat(clients.get(to).stats().opened()).isEqualTo(n - 1);
            assertThat(clients.get(to).stats().rejectedTotal()).isZero();
        }
        assertThat(s.stats().subscribers()).isEqualTo(n);
    }

    @Test
    void aTamperedOrMisaddressedEnvelopeIsCountedAndTheStreamGoesOn() throws Exception {
        SignalingServer s = server(0);
        Key alice = Key.generatePrivate();
        Key bob = Key.generatePrivate();
        Key carol = Key.generatePrivate();
        GrpcBackend b = client(s);
        List<Opened> got = new CopyOnWriteArrayList<>();
        await(b.subscribe(KeyPair.of(bob, alice.publicKey()), got::add).subscribed());
        ManagedChannel raw = Grpc.newChannelBuilderForAddress("127.0.0.1", s.port(), InsecureChannelCredentials.create())
                .build();
        cleanup.add(() -> raw.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        var pub = SignalingGrpc.newBlockingStub(raw);

        // carol writes to bob, who only listens to alice: key pair mismatch
        pub.publish(Sealer.seal(credentials("carol"), KeyPair.of(carol, bob.publicKey())));
        // alice's envelope with one body bit flipped: authentication fails
        Envelope good = Sealer.seal(credentials("tampered"), KeyPair.of(alice, bob.publicKey()));
        byte[] body = good.getContents().getBody().toByteArray();
        body[body.length - 1] ^= 1;
        pub.publish(good.toBuilder().setContents(good.getContents().toBuilder().setBody(ByteString.copyFrom(body))).build());
        // carol claims to be alice: authentication fails too
        Envelope spoofed = Sealer.seal(credentials("spoofed"), KeyPair.of(carol, bob.publicKey()));
        pub.publish(spoofed.toBuilder().setSender(ByteString.copyFrom(alice.publicKey().bytes())).build());
        // a nonce of the wrong length
        pub.publish(good.toBuilder().setContents(EncryptedMessage.newBuilder()
                .setBody(good.getContents().getBody()).setNonce(ByteString.copyFrom(new byte[12]))).build());
        // and then a good one: still delivered on the same stream
        pub.publish(Sealer.seal(credentials("good"), KeyPair.of(alice, bob.publicKey())));

        Waiter.until("the good message arrives", T, () -> got.size() == 1);
        assertThat(got.getFirst().message().getCredentials().getUfrag()).isEqualTo("good");
        Waiter.until("all four rejections are counted", T, () -> b.stats().rejectedTotal() == 4);
        assertThat(b.stats().rejected(Rejection.KEY_PAIR_MISMATCH)).isEqualTo(1);
        assertThat(b.stats().rejected(Rejection.AUTHENTICATION_FAILED)).isEqualTo(2);
        assertThat(b.stats().rejected(Rejection.BAD_NONCE_LENGTH)).isEqualTo(1);
        assertThat(b.streamBreaks()).isZero();
        assertThat(b.streamsOpened()).isEqualTo(1);
    }

    @Test
    void restartingTheServerMakesClientsResubscribeAndTrafficResume() throws Exception {
        SignalingServer first = server(0);
        int port = first.port();
        Key alice = Key.generatePrivate();
        Key bob = Key.generatePrivate();
        GrpcBackend a = client(first);
        GrpcBackend b = client(first);
        List<String> bobGot = new CopyOnWriteArrayList<>();
        List<String> aliceGot = new CopyOnWriteArrayList<>();
        await(b.subscribe(KeyPair.of(bob, alice.publicKey()), o -> bobGot.add(o.message().getCredentials().getUfrag()))
                .subscribed());
        await(a.subscribe(KeyPair.of(alice, bob.publicKey()), o -> aliceGot.add(o.message().getCredentials().getUfrag()))
                .subscribed());
        await(a.publish(credentials("before"), KeyPair.of(alice, bob.publicKey())));
        Waiter.until("bob hears alice before the restart", T, () -> bobGot.contains("before"));

        first.close();
        Waiter.until("both streams broke", T, () -> a.streamBreaks() >= 1 && b.streamBreaks() >= 1);
        // published while no server listens: waits for the channel, goes out after the restart
        var early = a.publish(credentials("during"), KeyPair.of(alice, bob.publicKey()));
        SignalingServer second = server(port);
        Waiter.until("both clients resubscribed to the new server", T,
                () -> a.markers() == 2 && b.markers() == 2 && second.stats().subscribers() == 2);

        await(early);
        await(a.publish(credentials("after"), KeyPair.of(alice, bob.publicKey())));
        await(b.publish(credentials("reply"), KeyPair.of(bob, alice.publicKey())));
        Waiter.until("traffic resumes both ways", T, () -> bobGot.contains("after") && aliceGot.contains("reply"));
        // "during" reached the new server; bob gets it if his stream was back before it arrived
        assertThat(second.stats().published()).isEqualTo(3);
    }

    @Test
    void theLastSubscriptionClosingEndsTheStream() throws Exception {
        SignalingServer s = server(0);
        Key bob = Key.generatePrivate();
        GrpcBackend b = client(s);
        Subscription one = b.subscribe(KeyPair.of(bob, Key.generatePrivate().publicKey()), o -> {});
        Subscription two = b.subscribe(KeyPair.wildcard(bob), o -> {});
        await(one.subscribed());
        await(two.subscribed());
        assertThat(s.stats().subscribers()).isEqualTo(1);
        one.close();
        assertThat(s.stats().subscribers()).isEqualTo(1);
        two.close();
        Waiter.until("the server sees the stream go", T, () -> s.stats().subscribers() == 0);
        assertThat(b.streamBreaks()).isZero();
    }

    @Test
    void closingTheBackendFailsPendingSubscriptionsAndPublishes() throws Exception {
        SignalingServer s = server(0);
        int port = s.port();
        s.close(); // nobody listens: the subscription never goes live
        GrpcBackend b = GrpcBackend.open(GrpcBackendOptions.insecure("127.0.0.1", port)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100)));
        Subscription sub = b.subscribe(KeyPair.wildcard(Key.generatePrivate()), o -> {});
        Waiter.until("a few attempts failed", T, () -> b.streamBreaks() >= 2);
        assertThat(sub.subscribed()).isNotDone();
        b.close();
        assertThatThrownBy(() -> sub.subscribed().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(b.publish(Envelope.getDefaultInstance())).isCompletedExceptionally();
        long attempts = b.streamsOpened();
        assertThat(attempts).isGreaterThanOrEqualTo(2);
    }

    @Test
    void backendsOpensGrpcUrls() {
        SignalingServer s = server(0);
        SignalingBackend b = Backends.open("grpc://127.0.0.1:" + s.port() + "?insecure=true");
        cleanup.add(b);
        assertThat(b).isInstanceOf(GrpcBackend.class);
        assertThat(((GrpcBackend) b).options().insecure()).isTrue();
        SignalingBackend tls = Backends.open("grpc://example.org:443");
        cleanup.add(tls);
        assertThat(((GrpcBackend) tls).options().insecure()).isFalse();
        assertThatThrownBy(() -> Backends.open("grpc://example.org:443?bogus=1"))
                .hasMessageContaining("unknown parameter 'bogus'");
        assertThatThrownBy(() -> Backends.open("grpc://example.org"))
                .hasMessageContaining("no port");
    }
}
