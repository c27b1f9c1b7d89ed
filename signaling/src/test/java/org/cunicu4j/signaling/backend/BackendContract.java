package org.cunicu4j.signaling.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.seal.Rejection;
import org.cunicu4j.signaling.seal.Sealer;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SignalingBackend} must do, as tests a backend's test class inherits:
 * {@code class GrpcBackendContractTest extends BackendContract { protected SignalingBackend
 * newPeer() {...} }}. Each {@link #newPeer()} is a new backend on the same medium (a client of
 * the same server, a member of the same group); this class closes them after each test.
 * Assumes the medium does not lose messages while the test runs (loopback). Counters are
 * checked as "at least one": a backend that receives an envelope twice (a multi-backend)
 * counts it twice, while its handler still sees a message once.
 */
public abstract class BackendContract {

    /** How long a message may take to arrive. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(10);

    protected final Key alice = Key.generatePrivate();
    protected final Key bob = Key.generatePrivate();
    protected final Key carol = Key.generatePrivate();
    private final List<SignalingBackend> peers = new ArrayList<>();

    /** A new backend on this test's shared medium. */
    protected abstract SignalingBackend newPeer() throws Exception;

    private SignalingBackend peer() throws Exception {
        SignalingBackend b = newPeer();
        peers.add(b);
        return b;
    }

    @AfterEach
    void closePeers() {
        peers.forEach(SignalingBackend::close);
    }

    protected static Message message(String ufrag) {
        return Message.newBuilder().setCredentials(Credentials.newBuilder().setUfrag(ufrag)).build();
    }

    private static Subscription live(Subscription s) throws Exception {
        s.subscribed().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return s;
    }

    @Test
    public void messageReachesExactlyItsRecipient() throws Exception {
        SignalingBackend a = peer();
        SignalingBackend b = peer();
        SignalingBackend c = peer();
        List<Opened> atBob = new CopyOnWriteArrayList<>();
        List<Opened> atCarol = new CopyOnWriteArrayList<>();
        live(b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add));
        live(c.subscribe(KeyPair.wildcard(carol), atCarol::add));

        a.publish(message("for-bob"), KeyPair.of(alice, bob.publicKey())).get(10, TimeUnit.SECONDS);
        a.publish(message("for-carol-1"), KeyPair.of(alice, carol.publicKey())).get(10, TimeUnit.SECONDS);
        Waiter.until("bob and carol got theirs", TIMEOUT, () -> atBob.size() == 1 && atCarol.size() == 1);
        a.publish(message("for-carol-2"), KeyPair.of(alice, carol.publicKey())).get(10, TimeUnit.SECONDS);
        Waiter.until("carol got the second", TIMEOUT, () -> atCarol.size() == 2);

        assertThat(atBob).extracting(o -> o.message().getCredentials().getUfrag()).containsExactly("for-bob");
        assertThat(atBob.getFirst().sender()).isEqualTo(alice.publicKey());
        assertThat(atBob.getFirst().recipient()).isEqualTo(bob.publicKey());
        assertThat(atCarol).extracting(o -> o.message().getCredentials().getUfrag())
                .containsExactlyInAnyOrder("for-carol-1", "for-carol-2");
        assertThat(b.stats().rejectedTotal()).isZero();
        assertThat(c.stats().rejectedTotal()).isZero();
    }

    @Test
    public void envelopeFromAnUnexpectedSenderIsCountedAndDeliveryGoesOn() throws Exception {
        SignalingBackend a = peer();
        SignalingBackend b = peer();
        SignalingBackend c = peer();
        List<Opened> atBob = new CopyOnWriteArrayList<>();
        live(b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add));

        c.publish(message("from-carol"), KeyPair.of(carol, bob.publicKey())).get(10, TimeUnit.SECONDS);
        Waiter.until("carol's envelope rejected", TIMEOUT,
                () -> b.stats().rejected(Rejection.KEY_PAIR_MISMATCH) >= 1);
        a.publish(message("from-alice"), KeyPair.of(alice, bob.publicKey())).get(10, TimeUnit.SECONDS);
        Waiter.until("alice's message delivered", TIMEOUT, () -> atBob.size() == 1);
        assertThat(atBob.getFirst().message().getCredentials().getUfrag()).isEqualTo("from-alice");
    }

    @Test
    public void tamperedEnvelopeIsCountedAndDeliveryGoesOn() throws Exception {
        SignalingBackend a = peer();
        SignalingBackend b = peer();
        List<Opened> atBob = new CopyOnWriteArrayList<>();
        live(b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add));

        Envelope good = Sealer.seal(message("good"), KeyPair.of(alice, bob.publicKey()));
        byte[] body = good.getContents().getBody().toByteArray();
        body[body.length - 1] ^= 0x40;
        a.publish(good.toBuilder().setContents(good.getContents().toBuilder()
                .setBody(ByteString.copyFrom(body))).build()).get(10, TimeUnit.SECONDS);
        Waiter.until("tampered envelope rejected", TIMEOUT,
                () -> b.stats().rejected(Rejection.AUTHENTICATION_FAILED) >= 1);
        a.publish(good).get(10, TimeUnit.SECONDS);
        Waiter.until("good envelope delivered", TIMEOUT, () -> atBob.size() == 1);
        assertThat(b.stats().opened()).isPositive();
        assertThat(atBob).hasSize(1);
    }

    @Test
    public void closedSubscriptionGetsNothingMore() throws Exception {
        SignalingBackend a = peer();
        SignalingBackend b = peer();
        List<Opened> closed = new CopyOnWriteArrayList<>();
        List<Opened> open = new CopyOnWriteArrayList<>();
        Subscription toClose = live(b.subscribe(KeyPair.of(bob, alice.publicKey()), closed::add));
        live(b.subscribe(KeyPair.wildcard(bob), open::add));
        a.publish(message("1"), KeyPair.of(alice, bob.publicKey())).get(10, TimeUnit.SECONDS);
        Waiter.until("both got the first", TIMEOUT, () -> closed.size() == 1 && open.size() == 1);

        toClose.close();
        a.publish(message("2"), KeyPair.of(alice, bob.publicKey())).get(10, TimeUnit.SECONDS);
        Waiter.until("the open one got the second", TIMEOUT, () -> open.size() == 2);
        assertThat(closed).hasSize(1);
    }

    @Test
    public void closingTheBackendFailsPendingAndLaterCalls() throws Exception {
        SignalingBackend b = peer();
        b.close();
        b.close();
        assertThat(b.publish(message("x"), KeyPair.of(bob, alice.publicKey())))
                .failsWithin(TIMEOUT);
    }
}
