package org.cunicu4j.signaling.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.seal.Rejection;
import org.cunicu4j.signaling.seal.SealStats;
import org.cunicu4j.signaling.seal.Sealer;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

class SubscriptionRegistryTest {

    private final Key alice = Key.generatePrivate();
    private final Key bob = Key.generatePrivate();
    private final List<String> events = new ArrayList<>();
    private final SubscriptionRegistry registry = new SubscriptionRegistry(new SealStats(),
            new SubscriptionRegistry.TopicListener() {
                @Override
                public void topicAdded(KeyPair keys) {
                    events.add("added " + keys.ourPublic());
                }

                @Override
                public void topicRemoved(Key recipient) {
                    events.add("removed " + recipient);
                }
            });

    @Test
    void topicListenerSeesFirstAndLastSubscription() {
        Subscription s1 = registry.add(KeyPair.of(bob, alice.publicKey()), o -> { });
        Subscription s2 = registry.add(KeyPair.wildcard(bob), o -> { });
        assertThat(registry.topics()).hasSize(1);
        s1.close();
        s1.close();
        assertThat(events).containsExactly("added " + bob.publicKey());
        s2.close();
        assertThat(events).containsExactly("added " + bob.publicKey(), "removed " + bob.publicKey());
        assertThat(registry.topics()).isEmpty();
    }

    @Test
    void subscribedCompletesWhenTheTopicIsLive() {
        Subscription before = registry.add(KeyPair.wildcard(bob), o -> { });
        assertThat(before.subscribed()).isNotDone();
        registry.markLive(bob.publicKey());
        assertThat(before.subscribed()).isCompleted();
        Subscription after = registry.add(KeyPair.of(bob, alice.publicKey()), o -> { });
        assertThat(after.subscribed()).isCompleted();
        registry.markDown(bob.publicKey());
        assertThat(registry.add(KeyPair.wildcard(bob), o -> { }).subscribed()).isNotDone();
    }

    @Test
    void subscribedDependentsRunOutsideTheRegistryLock() throws Exception {
        // a dependent that waits for another thread using the registry would deadlock if
        // subscribed() were completed under the registry's lock
        java.util.concurrent.atomic.AtomicBoolean otherThreadGotIn = new java.util.concurrent.atomic.AtomicBoolean();
        Subscription s = registry.add(KeyPair.wildcard(bob), o -> { });
        s.subscribed().thenRun(() -> {
            Thread t = Thread.ofPlatform().start(() -> registry.markDown(alice.publicKey()));
            try {
                t.join(java.time.Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            otherThreadGotIn.set(!t.isAlive());
        });
        registry.markLive(bob.publicKey());
        assertThat(otherThreadGotIn).as("markDown from another thread inside a markLive dependent").isTrue();

        java.util.concurrent.atomic.AtomicBoolean again = new java.util.concurrent.atomic.AtomicBoolean();
        registry.add(KeyPair.of(bob, alice.publicKey()), o -> { }).subscribed().thenRun(() -> {
            Thread t = Thread.ofPlatform().start(() -> registry.markDown(alice.publicKey()));
            try {
                t.join(java.time.Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            again.set(!t.isAlive());
        });
        assertThat(again).as("markDown from another thread inside an add dependent").isTrue();
    }

    @Test
    void envelopeOnAnotherTopicsStreamIsAKeyPairMismatch() {
        List<Opened> got = new ArrayList<>();
        registry.add(KeyPair.wildcard(bob), got::add);
        Envelope toBob = Sealer.seal(InProcessBackendTest.message("x"), KeyPair.of(alice, bob.publicKey()));

        assertThat(registry.deliver(ByteString.copyFrom(alice.publicKey().bytes()), toBob)).isZero();
        assertThat(registry.stats().rejected(Rejection.KEY_PAIR_MISMATCH)).isEqualTo(1);
        assertThat(registry.deliver(ByteString.copyFrom(bob.publicKey().bytes()), toBob)).isEqualTo(1);
        assertThat(got).hasSize(1);
    }

    @Test
    void garbageBytesAreMalformedEnvelopes() {
        registry.add(KeyPair.wildcard(bob), o -> { });
        byte[] garbage = {(byte) 0xff, (byte) 0xff, 0x01};
        assertThat(registry.deliver(garbage, 0, garbage.length)).isZero();
        assertThat(registry.stats().rejected(Rejection.MALFORMED_ENVELOPE)).isEqualTo(1);
        byte[] good = Sealer.seal(InProcessBackendTest.message("x"), KeyPair.of(alice, bob.publicKey())).toByteArray();
        byte[] framed = new byte[good.length + 4];
        System.arraycopy(good, 0, framed, 2, good.length);
        assertThat(registry.deliver(framed, 2, good.length)).isEqualTo(1);
    }

    @Test
    void envelopeForSomeoneElseOnASharedMediumIsNotARejection() {
        registry.add(KeyPair.wildcard(bob), o -> { });
        Envelope toAlice = Sealer.seal(InProcessBackendTest.message("x"), KeyPair.of(bob, alice.publicKey()));
        assertThat(registry.deliver(toAlice)).isZero();
        assertThat(registry.notForUs()).isEqualTo(1);
        assertThat(registry.stats().rejectedTotal()).isZero();
    }

    @Test
    void closeAllFailsPendingSubscriptions() {
        Subscription s = registry.add(KeyPair.wildcard(bob), o -> { });
        registry.closeAll(new IllegalStateException("backend closed"));
        assertThat(s.subscribed()).isCompletedExceptionally();
        assertThat(registry.topics()).isEmpty();
    }
}
