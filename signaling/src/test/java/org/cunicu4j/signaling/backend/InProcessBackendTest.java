package org.cunicu4j.signaling.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

class InProcessBackendTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Key alice = Key.generatePrivate();
    private final Key bob = Key.generatePrivate();
    private final Key carol = Key.generatePrivate();
    private final String hub = "test-" + System.nanoTime();
    private final List<SignalingBackend> opened = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(SignalingBackend::close);
    }

    private InProcessBackend join(String name) {
        InProcessBackend b = InProcessBackend.open(name);
        opened.add(b);
        return b;
    }

    static Message message(String ufrag) {
        return Message.newBuilder().setCredentials(Credentials.newBuilder().setUfrag(ufrag)).build();
    }

    @Test
    void messageReachesExactlyItsRecipient() throws Exception {
        InProcessBackend a = join(hub);
        InProcessBackend b = join(hub);
        InProcessBackend c = join(hub);
        List<Opened> atBob = new CopyOnWriteArrayList<>();
        List<Opened> atCarol = new CopyOnWriteArrayList<>();
        List<Opened> atAlice = new CopyOnWriteArrayList<>();
        Subscription sb = b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);
        c.subscribe(KeyPair.wildcard(carol), atCarol::add);
        a.subscribe(KeyPair.wildcard(alice), atAlice::add);
        sb.subscribed().get(5, TimeUnit.SECONDS);

        a.publish(message("for-bob"), KeyPair.of(alice, bob.publicKey())).get(5, TimeUnit.SECONDS);
        a.publish(message("for-carol"), KeyPair.of(alice, carol.publicKey())).get(5, TimeUnit.SECONDS);

        Waiter.until("bob and carol got their message", TIMEOUT, () -> atBob.size() == 1 && atCarol.size() == 1);
        assertThat(atBob.getFirst().message().getCredentials().getUfrag()).isEqualTo("for-bob");
        assertThat(atBob.getFirst().sender()).isEqualTo(alice.publicKey());
        assertThat(atCarol.getFirst().message().getCredentials().getUfrag()).isEqualTo("for-carol");
        // a marker after both: once a member's (FIFO) queue has passed it, nothing else is pending there
        a.publish(message("marker"), KeyPair.of(alice, bob.publicKey()));
        Waiter.until("marker at bob", TIMEOUT, () -> atBob.size() == 2);
        Waiter.until("carol passed for-bob and the marker", TIMEOUT, () -> c.notForUs() == 2);
        Waiter.until("alice passed all three", TIMEOUT, () -> a.notForUs() == 3);
        assertThat(atCarol).hasSize(1);
        assertThat(atAlice).isEmpty();
        assertThat(b.stats().rejectedTotal()).isZero();
        assertThat(b.notForUs()).isEqualTo(1);
    }

    @Test
    void subscriptionOnlyAcceptsItsSenderAndCountsTheRest() throws Exception {
        InProcessBackend a = join(hub);
        InProcessBackend b = join(hub);
        InProcessBackend c = join(hub);
        List<Opened> atBob = new CopyOnWriteArrayList<>();
        b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);

        c.publish(message("from-carol"), KeyPair.of(carol, bob.publicKey()));
        Waiter.until("carol's envelope counted", TIMEOUT,
                () -> b.stats().rejected(Rejection.KEY_PAIR_MISMATCH) == 1);
        a.publish(message("from-alice"), KeyPair.of(alice, bob.publicKey()));
        Waiter.until("alice's message arrives", TIMEOUT, () -> atBob.size() == 1);
        assertThat(atBob.getFirst().message().getCredentials().getUfrag()).isEqualTo("from-alice");
    }

    @Test
    void tamperedEnvelopeIsCountedAndTheStreamGoesOn() {
        InProcessBackend a = join(hub);
        InProcessBackend b = join(hub);
        List<Opened> atBob = new CopyOnWriteArrayList<>();
        b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);

        Envelope good = Sealer.seal(message("good"), KeyPair.of(alice, bob.publicKey()));
        byte[] body = good.getContents().getBody().toByteArray();
        body[20] ^= 1;
        Envelope tampered = good.toBuilder()
                .setContents(good.getContents().toBuilder().setBody(ByteString.copyFrom(body))).build();
        a.publish(tampered);
        a.publish(good);

        Waiter.until("the good message after the tampered one", TIMEOUT, () -> atBob.size() == 1);
        assertThat(b.stats().rejected(Rejection.AUTHENTICATION_FAILED)).isEqualTo(1);
        assertThat(b.stats().opened()).isEqualTo(1);
    }

    @Test
    void throwingHandlerDoesNotStopDelivery() {
        InProcessBackend a = join(hub);
        InProcessBackend b = join(hub);
        AtomicInteger calls = new AtomicInteger();
        b.subscribe(KeyPair.of(bob, alice.publicKey()), o -> {
            calls.incrementAndGet();
            throw new IllegalStateException("handler bug (expected in this test)");
        });
        a.publish(message("1"), KeyPair.of(alice, bob.publicKey()));
        a.publish(message("2"), KeyPair.of(alice, bob.publicKey()));
        Waiter.until("both messages handled", TIMEOUT, () -> calls.get() == 2);
    }

    @Test
    void severalSubscriptionsOnOneTopicEachGetTheirSendersMessages() {
        InProcessBackend a = join(hub);
        InProcessBackend b = join(hub);
        InProcessBackend c = join(hub);
        List<Opened> fromAlice = new CopyOnWriteArrayList<>();
        List<Opened> fromCarol = new CopyOnWriteArrayList<>();
        List<Opened> fromAnyone = new CopyOnWriteArrayList<>();
        b.subscribe(KeyPair.of(bob, alice.publicKey()), fromAlice::add);
        b.subscribe(KeyPair.of(bob, carol.publicKey()), fromCarol::add);
        b.subscribe(KeyPair.wildcard(bob), fromAnyone::add);

        a.publish(message("a"), KeyPair.of(alice, bob.publicKey()));
        c.publish(message("c"), KeyPair.of(carol, bob.publicKey()));

        Waiter.until("wildcard saw both", TIMEOUT, () -> fromAnyone.size() == 2);
        Waiter.until("per-sender subscriptions saw theirs", TIMEOUT,
                () -> fromAlice.size() == 1 && fromCarol.size() == 1);
        assertThat(fromAlice.getFirst().sender()).isEqualTo(alice.publicKey());
        assertThat(fromCarol.getFirst().sender()).isEqualTo(carol.publicKey());
    }

    @Test
    void closedSubscriptionGetsNothingMore() throws Exception {
        InProcessBackend a = join(hub);
        InProcessBackend b = join(hub);
        List<Opened> first = new CopyOnWriteArrayList<>();
        List<Opened> second = new CopyOnWriteArrayList<>();
        Subscription s1 = b.subscribe(KeyPair.of(bob, alice.publicKey()), first::add);
        b.subscribe(KeyPair.wildcard(bob), second::add);
        a.publish(message("1"), KeyPair.of(alice, bob.publicKey()));
        Waiter.until("both got 1", TIMEOUT, () -> first.size() == 1 && second.size() == 1);

        s1.close();
        a.publish(message("2"), KeyPair.of(alice, bob.publicKey()));
        Waiter.until("the open one got 2", TIMEOUT, () -> second.size() == 2);
        assertThat(first).hasSize(1);
    }

    @Test
    void hubsAreSeparate() {
        InProcessBackend a = join(hub);
        InProcessBackend b = join(hub + "-other");
        InProcessBackend b2 = join(hub);
        List<Opened> other = new CopyOnWriteArrayList<>();
        List<Opened> same = new CopyOnWriteArrayList<>();
        b.subscribe(KeyPair.wildcard(bob), other::add);
        b2.subscribe(KeyPair.wildcard(bob), same::add);
        a.publish(message("x"), KeyPair.of(alice, bob.publicKey()));
        Waiter.until("same hub delivers", TIMEOUT, () -> same.size() == 1);
        assertThat(other).isEmpty();
    }

    @Test
    void closedBackendRefusesAndFailsPendingWork() {
        InProcessBackend b = join(hub);
        Subscription s = b.subscribe(KeyPair.wildcard(bob), o -> { });
        assertThat(s.subscribed()).isCompleted();
        b.close();
        b.close(); // idempotent
        assertThat(b.publish(Sealer.seal(message("x"), KeyPair.of(alice, bob.publicKey()))))
                .failsWithin(Duration.ofSeconds(1))
                .withThrowableOfType(ExecutionException.class)
                .withMessageContaining("closed");
        assertThatThrownBy(() -> b.subscribe(KeyPair.wildcard(bob), o -> { }))
                .isInstanceOf(IllegalStateException.class);
    }
}
