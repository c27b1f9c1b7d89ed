package org.cunicu4j.signaling.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.signaling.backend.Backends;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.EncryptedMessage;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.seal.Rejection;
import org.cunicu4j.signaling.seal.Sealer;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several multicast backends in this process, joined on {@code lo} of the test's own network
 * namespace (no root, no route needed; a port of each test's own, so parallel runs do not hear
 * each other).
 */
@Timeout(30)
class MulticastBackendTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Key alice = Key.generatePrivate();
    private final Key bob = Key.generatePrivate();
    private final Key carol = Key.generatePrivate();

    static Message credentials(String ufrag) {
        return Message.newBuilder().setCredentials(Credentials.newBuilder().setUfrag(ufrag).setPwd("p".repeat(32))
                .setNeedCreds(true)).build();
    }

    @Test
    void aliceToBobReachesExactlyBob() throws Exception {
        MulticastTarget target = GroupChannelTest.onLoopback("239.0.0.1");
        try (MulticastBackend a = MulticastBackend.open(target);
                MulticastBackend b = MulticastBackend.open(target);
                MulticastBackend c = MulticastBackend.open(target)) {
            BlockingQueue<Opened> atBob = new LinkedBlockingQueue<>();
            BlockingQueue<Opened> atCarol = new LinkedBlockingQueue<>();
            Subscription bobSub = b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);
            c.subscribe(KeyPair.wildcard(carol), atCarol::add);
            assertThat(bobSub.subscribed()).isCompleted(); // no marker to wait for

            Message toBob = credentials("forbobforbobforb");
            a.publish(toBob, KeyPair.of(alice, bob.publicKey())).get(5, TimeUnit.SECONDS);
            Opened got = atBob.poll(5, TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(got.message()).isEqualTo(toBob);
            assertThat(got.sender()).isEqualTo(alice.publicKey());
            assertThat(got.recipient()).isEqualTo(bob.publicKey());

            // positive control: carol hears her own message, sent after bob's on the same socket
            Message toCarol = credentials("forcarolforcarol");
            a.publish(toCarol, KeyPair.of(alice, carol.publicKey())).get(5, TimeUnit.SECONDS);
            Opened carols = atCarol.poll(5, TimeUnit.SECONDS);
            assertThat(carols).isNotNull();
            assertThat(carols.message()).isEqualTo(toCarol);
            assertThat(atCarol).isEmpty(); // bob's message did not reach her ...
            assertThat(c.notForUs()).isEqualTo(1); // ... though the datagram did
            assertThat(atBob).isEmpty(); // and bob got his one message, once
            assertThat(b.stats().opened()).isEqualTo(1);
            assertThat(b.stats().rejectedTotal()).isZero();
            assertThat(a.envelopesSent()).isEqualTo(2);
            Waiter.until("alice hears her own two datagrams (loopback on)", WAIT, () -> a.datagramsReceived() == 2);
        }
    }

    @Test
    void malformedDatagramsAndForgedEnvelopesAreCountedAndDropped() throws Exception {
        MulticastTarget target = GroupChannelTest.onLoopback("239.0.0.2");
        try (MulticastBackend b = MulticastBackend.open(target); DatagramChannel raw = rawSender()) {
            BlockingQueue<Opened> atBob = new LinkedBlockingQueue<>();
            b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);
            InetSocketAddress group = new InetSocketAddress(target.group(), target.port());

            raw.send(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}), group); // not protobuf
            raw.send(ByteBuffer.wrap(new byte[] {0x12, 0x7f, 0x01}), group); // field 2 longer than the datagram
            Envelope good = Sealer.seal(credentials("aaaaaaaaaaaaaaaa"), KeyPair.of(alice, bob.publicKey()));
            byte[] body = good.getContents().getBody().toByteArray();
            body[body.length - 1] ^= 1;
            Envelope tampered = good.toBuilder().setContents(good.getContents().toBuilder()
                    .setBody(ByteString.copyFrom(body))).build();
            raw.send(ByteBuffer.wrap(tampered.toByteArray()), group);
            Envelope fromCarol = Sealer.seal(credentials("cccccccccccccccc"), KeyPair.of(carol, bob.publicKey()));
            raw.send(ByteBuffer.wrap(fromCarol.toByteArray()), group); // bob follows alice only
            raw.send(ByteBuffer.wrap(good.toByteArray()), group);

            Opened got = atBob.poll(5, TimeUnit.SECONDS);
            assertThat(got).as("the good envelope after the bad ones").isNotNull();
            assertThat(got.message().getCredentials().getUfrag()).isEqualTo("aaaaaaaaaaaaaaaa");
            assertThat(b.stats().rejected(Rejection.MALFORMED_ENVELOPE)).isEqualTo(2);
            assertThat(b.stats().rejected(Rejection.AUTHENTICATION_FAILED)).isEqualTo(1);
            assertThat(b.stats().rejected(Rejection.KEY_PAIR_MISMATCH)).isEqualTo(1);
            assertThat(b.datagramsReceived()).isEqualTo(5);
            assertThat(atBob).isEmpty();
        }
    }

    /**
     * The datagram is the bare serialized Envelope, as cunīcu's multicast backend sends and reads
     * it: checked field by field at the protobuf wire level, both ways.
     */
    @Test
    void theDatagramIsTheBareEnvelopeBothWays() throws Exception {
        MulticastTarget target = GroupChannelTest.onLoopback("239.0.0.7");
        try (MulticastBackend a = MulticastBackend.open(target); MulticastBackend b = MulticastBackend.open(target);
                GroupChannel tap = GroupChannel.open(target); DatagramChannel raw = rawSender()) {
            BlockingQueue<Opened> atBob = new LinkedBlockingQueue<>();
            b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);

            // ours, read by hand: 0x0a 32 sender, 0x12 32 recipient, 0x1a len {0x0a len body, 0x12 24 nonce}
            a.publish(credentials("wirewirewirewire"), KeyPair.of(alice, bob.publicKey())).get(5, TimeUnit.SECONDS);
            ByteBuffer d = ByteBuffer.allocate(2048);
            assertThat(tap.receive(d)).isNotNull();
            d.flip();
            assertThat(d.get()).isEqualTo((byte) 0x0a);
            assertThat(d.get()).isEqualTo((byte) 32);
            assertThat(bytes(d, 32)).isEqualTo(alice.publicKey().bytes());
            assertThat(d.get()).isEqualTo((byte) 0x12);
            assertThat(d.get()).isEqualTo((byte) 32);
            assertThat(bytes(d, 32)).isEqualTo(bob.publicKey().bytes());
            assertThat(d.get()).isEqualTo((byte) 0x1a);
            int contentsLength = d.get();
            assertThat(contentsLength).isEqualTo(d.remaining()).isPositive(); // small enough for a 1-byte length
            assertThat(d.get()).isEqualTo((byte) 0x0a);
            byte[] body = bytes(d, d.get());
            assertThat(d.get()).isEqualTo((byte) 0x12);
            assertThat(d.get()).isEqualTo((byte) 24);
            byte[] nonce = bytes(d, 24);
            assertThat(d.hasRemaining()).isFalse();
            assertThat(atBob.poll(5, TimeUnit.SECONDS)).isNotNull();

            // theirs: the same sender, recipient, body and nonce encoded by hand (no generated class): bob opens it
            ByteBuffer hand = ByteBuffer.allocate(2048);
            hand.put((byte) 0x0a).put((byte) 32).put(alice.publicKey().bytes());
            hand.put((byte) 0x12).put((byte) 32).put(bob.publicKey().bytes());
            hand.put((byte) 0x1a).put((byte) (2 + body.length + 2 + 24));
            hand.put((byte) 0x0a).put((byte) body.length).put(body);
            hand.put((byte) 0x12).put((byte) 24).put(nonce);
            raw.send(hand.flip(), new InetSocketAddress(target.group(), target.port()));
            Opened again = atBob.poll(5, TimeUnit.SECONDS);
            assertThat(again).as("a hand-built datagram opens").isNotNull();
            assertThat(again.message().getCredentials().getUfrag()).isEqualTo("wirewirewirewire");
            assertThat(b.stats().rejectedTotal()).isZero();
        }
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    @Test
    void aThrowingHandlerIsCountedAndDeliveryGoesOn() throws Exception {
        MulticastTarget target = GroupChannelTest.onLoopback("239.0.0.3");
        try (MulticastBackend a = MulticastBackend.open(target); MulticastBackend b = MulticastBackend.open(target)) {
            BlockingQueue<Opened> atBob = new LinkedBlockingQueue<>();
            AtomicInteger calls = new AtomicInteger();
            b.subscribe(KeyPair.of(bob, alice.publicKey()), m -> {
                atBob.add(m);
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("handler bug");
                }
            });
            KeyPair keys = KeyPair.of(alice, bob.publicKey());
            a.publish(credentials("one1one1one1one1"), keys).get(5, TimeUnit.SECONDS);
            a.publish(credentials("two2two2two2two2"), keys).get(5, TimeUnit.SECONDS);
            assertThat(atBob.poll(5, TimeUnit.SECONDS)).isNotNull();
            Opened second = atBob.poll(5, TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(second.message().getCredentials().getUfrag()).isEqualTo("two2two2two2two2");
            assertThat(b.handlerFailures()).isEqualTo(1);
        }
    }

    @Test
    void anEnvelopeLargerThanADatagramFailsClearly() throws Exception {
        try (MulticastBackend a = MulticastBackend.open(GroupChannelTest.onLoopback("239.0.0.4"))) {
            Envelope huge = Envelope.newBuilder().setSender(ByteString.copyFrom(alice.publicKey().bytes()))
                    .setRecipient(ByteString.copyFrom(bob.publicKey().bytes()))
                    .setContents(EncryptedMessage.newBuilder().setNonce(ByteString.copyFrom(new byte[24]))
                            .setBody(ByteString.copyFrom(new byte[70_000]))).build();
            assertThatThrownBy(() -> a.publish(huge).get())
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("envelope of " + huge.getSerializedSize() + " bytes")
                    .hasMessageContaining("does not fit in one multicast datagram (at most 65507 bytes)");
            assertThatThrownBy(() -> a.publish(Envelope.getDefaultInstance()).get())
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32-byte");
            assertThat(a.envelopesSent()).isZero();
        }
    }

    @Test
    void closeLeavesTheGroupWakesTheReaderAndEndsSubscriptions() throws Exception {
        MulticastTarget target = GroupChannelTest.onLoopback("239.0.0.5");
        MulticastBackend b = MulticastBackend.open(target);
        Subscription sub = b.subscribe(KeyPair.of(bob, alice.publicKey()), m -> { });
        assertThat(b.readerStopped()).isFalse();
        b.close();
        assertThat(b.readerStopped()).as("close joins the woken reader").isTrue();
        assertThatThrownBy(() -> b.publish(Envelope.getDefaultInstance()).get())
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> b.subscribe(KeyPair.of(bob, alice.publicKey()), m -> { }))
                .isInstanceOf(IllegalStateException.class);
        sub.close(); // idempotent after the backend closed it
        b.close();
        // the port and group are free again: a new member on the same target works
        try (MulticastBackend again = MulticastBackend.open(target)) {
            assertThat(again.target()).isEqualTo(target);
        }
    }

    @Test
    void interruptingTheReaderClosesTheBackendInsteadOfEndingSilently() {
        MulticastTarget target = GroupChannelTest.onLoopback("239.0.0.9");
        MulticastBackend b = MulticastBackend.open(target);
        try {
            Subscription sub = b.subscribe(KeyPair.of(bob, alice.publicKey()), m -> { });
            b.interruptReader();
            org.cunicu4j.testlab.Waiter.until("the reader stops", java.time.Duration.ofSeconds(5), b::readerStopped);
            assertThat(sub.subscribed()).isCompleted(); // it was live; now closed by the backend
            assertThatThrownBy(() -> b.subscribe(KeyPair.of(bob, alice.publicKey()), m -> { }))
                    .as("the backend closed itself").isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> b.publish(Envelope.getDefaultInstance()).get())
                    .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        } finally {
            b.close();
        }
    }

    @Test
    void openedByUrlThroughBackends() throws Exception {
        MulticastTarget target = GroupChannelTest.onLoopback("239.0.0.6");
        assertThat(Backends.schemes()).contains("multicast");
        try (SignalingBackend a = Backends.open(target.toUrl()); SignalingBackend b = Backends.open(target.toUrl())) {
            assertThat(a).isInstanceOf(MulticastBackend.class);
            BlockingQueue<Opened> atBob = new LinkedBlockingQueue<>();
            b.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add);
            a.publish(credentials("urlurlurlurlurlu"), KeyPair.of(alice, bob.publicKey())).get(5, TimeUnit.SECONDS);
            assertThat(atBob.poll(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThatThrownBy(() -> Backends.open("multicast://239.0.0.1:9999?interface=nosuch0"))
                .hasMessageContaining("no interface named nosuch0");
        assertThatThrownBy(() -> Backends.open("multicast://10.1.2.3:9999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multicast address");
    }

    private static DatagramChannel rawSender() throws Exception {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName("lo"));
        return ch;
    }
}
