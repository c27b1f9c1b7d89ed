package org.cunicu4j.signaling.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.seal.Sealer;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MultiBackendTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Key alice = Key.generatePrivate();
    private final Key bob = Key.generatePrivate();
    private final String hub1 = "multi1-" + System.nanoTime();
    private final String hub2 = "multi2-" + System.nanoTime();
    private final List<SignalingBackend> opened = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(SignalingBackend::close);
    }

    private MultiBackend both() {
        MultiBackend m = new MultiBackend(List.of(InProcessBackend.open(hub1), InProcessBackend.open(hub2)));
        opened.add(m);
        return m;
    }

    @Test
    void envelopeArrivingOverTwoBackendsIsDeliveredOnce() throws Exception {
        MultiBackend a = both();
        MultiBackend b = both();
        List<Opened> atBob = new CopyOnWriteArrayList<>();
        Subscription s = b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);
        s.subscribed().get(5, TimeUnit.SECONDS);

        Envelope first = Sealer.seal(InProcessBackendTest.message("1"), KeyPair.of(alice, bob.publicKey()));
        a.publish(first).get(5, TimeUnit.SECONDS);
        // the same content sealed again is a new envelope (new nonce): a retransmission, delivered
        a.publish(InProcessBackendTest.message("1"), KeyPair.of(alice, bob.publicKey()));

        Waiter.until("both backends opened both envelopes", TIMEOUT, () -> b.stats().opened() == 4);
        Waiter.until("both messages handled", TIMEOUT, () -> atBob.size() >= 2); // handled after being opened
        assertThat(atBob).hasSize(2);
        assertThat(atBob.get(0).nonce()).isNotEqualTo(atBob.get(1).nonce());
    }

    @Test
    void handlerSeesOneMessageAtATimeThoughTwoBackendsDeliverConcurrently() {
        MultiBackend a = both();
        MultiBackend b = both();
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
        Subscription s = b.subscribe(KeyPair.of(bob, alice.publicKey()), m -> {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            threads.add(Thread.currentThread());
            // widen the window in which the other backend's thread could call in
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            inside.decrementAndGet();
            got.incrementAndGet();
        });
        assertThat(s.subscribed()).succeedsWithin(TIMEOUT);
        int n = 300;
        for (int i = 0; i < n; i++) {
            a.publish(InProcessBackendTest.message("m" + i), KeyPair.of(alice, bob.publicKey()));
        }
        Waiter.until("both backends opened every envelope", TIMEOUT, () -> b.stats().opened() == 2L * n);
        // an envelope is counted as opened before its handler call ends
        Waiter.until("the handler saw every message", TIMEOUT, () -> got.get() == n);
        assertThat(got).hasValue(n);
        assertThat(overlaps).as("handler calls overlapping").hasValue(0);
        assertThat(threads).as("delivering threads").hasSizeGreaterThanOrEqualTo(1);
    }

    @Test
    void publishSucceedsWhileOneBackendWorks() throws Exception {
        InProcessBackend broken = InProcessBackend.open(hub1);
        broken.close();
        InProcessBackend working = InProcessBackend.open(hub2);
        MultiBackend m = new MultiBackend(List.of(broken, working));
        opened.add(m);
        Envelope e = Sealer.seal(InProcessBackendTest.message("x"), KeyPair.of(alice, bob.publicKey()));
        assertThat(m.publish(e)).succeedsWithin(TIMEOUT);

        working.close();
        assertThat(m.publish(e)).failsWithin(TIMEOUT)
                .withThrowableOfType(ExecutionException.class)
                .withMessageContaining("publish failed on every backend");
    }

    @Test
    void closingTheSubscriptionClosesItOnEveryBackend() {
        MultiBackend a = both();
        MultiBackend b = both();
        List<Opened> closedOne = new CopyOnWriteArrayList<>();
        List<Opened> openOne = new CopyOnWriteArrayList<>();
        b.subscribe(KeyPair.of(bob, alice.publicKey()), closedOne::add).close();
        b.subscribe(KeyPair.wildcard(bob), openOne::add);
        a.publish(InProcessBackendTest.message("x"), KeyPair.of(alice, bob.publicKey()));
        Waiter.until("open subscription got it", TIMEOUT, () -> openOne.size() == 1);
        Waiter.until("both backends delivered", TIMEOUT, () -> b.stats().opened() == 2);
        assertThat(closedOne).isEmpty();
    }

    @Test
    void needsABackend() {
        assertThatThrownBy(() -> new MultiBackend(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
