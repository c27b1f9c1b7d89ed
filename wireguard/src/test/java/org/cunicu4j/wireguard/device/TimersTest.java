package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork.Verdict;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.Test;

/** The protocol timers on a fake clock (the data path runs on its own threads; only time is fake). */
class TimersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeClock clock = new FakeClock();
    private final DeviceOptions options = DeviceOptions.defaults().withClock(clock);

    private static byte[] ping() {
        return Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(40, 1));
    }

    private static void connect(DevicePair p) throws InterruptedException {
        p.tunA.inject(ping());
        assertThat(p.tunB.take(WAIT)).isEqualTo(ping());
    }

    /**
     * Connects, then lets B's keepalive (10 s after A's packet) reach A before time moves on,
     * so that A's new-handshake timer is cleared and no handshake races the test.
     */
    private void connectAndSettle(DevicePair p) throws InterruptedException {
        connect(p);
        clock.advance(Duration.ofMillis(10_100));
        Waiter.until("B's keepalive reaches A", WAIT, () -> p.a.counters().transportPacketsReceived() == 1);
    }

    @Test
    void rekeyAfterTimeStartsANewHandshakeOnSend() throws Exception {
        try (DevicePair p = new DevicePair(options)) {
            connectAndSettle(p);
            assertThat(p.a.counters().handshakesCompleted()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(111));
            Peer atA = p.a.peer(p.keyB.publicKey());
            var old = atA.current;
            assertThat(p.a.counters().handshakeInitiationsSent()).isEqualTo(1);
            p.tunA.inject(ping());
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping()); // still sent on the old keypair
            Waiter.until("a second handshake", WAIT, () -> p.a.counters().handshakesCompleted() == 2);
            // A counts an initiation after sending it: the handshake may complete first
            Waiter.until("A counts its second initiation", WAIT, () -> p.a.counters().handshakeInitiationsSent() == 2);
            assertThat(atA.current).isNotSameAs(old);
            assertThat(atA.previous).isSameAs(old);
        }
    }

    @Test
    void rejectAfterTimeRefusesAnOldKeypair() throws Exception {
        try (DevicePair p = new DevicePair(options)) {
            connect(p);
            List<byte[]> held = new CopyOnWriteArrayList<>();
            p.network.setImpairment((from, to, d) -> {
                if (from.equals(p.bindA.endpoint()) && d.get(0) == 4) {
                    byte[] c = new byte[d.remaining()];
                    d.get(c);
                    held.add(c);
                    return Verdict.DROP;
                }
                return Verdict.DELIVER;
            });
            p.tunA.inject(ping());
            Waiter.until("a transport message captured", WAIT, () -> !held.isEmpty());
            // nothing more from A reaches B: a handshake A's timers start on the way (no answer
            // to its data) must not rotate B's keypairs, or the old index is gone (UNKNOWN_RECEIVER)
            p.network.setImpairment((from, to, d) -> from.equals(p.bindA.endpoint()) ? Verdict.DROP : Verdict.DELIVER);
            clock.advance(Duration.ofSeconds(181));
            p.bindB.inject(p.bindA.endpoint(), held.getFirst());
            Waiter.until("expired keypair counted", WAIT, () -> p.b.counters().dropped(DropReason.EXPIRED_KEYPAIR) == 1);
            assertThat(p.tunB.poll()).isNull();
        }
    }

    @Test
    void keepaliveFollowsAReceivedPacketWhenNothingIsSent() throws Exception {
        try (DevicePair p = new DevicePair(options)) {
            connect(p);
            long before = p.a.counters().transportPacketsReceived();
            clock.advance(Duration.ofSeconds(9));
            assertThat(p.a.counters().transportPacketsReceived()).isEqualTo(before);
            clock.advance(Duration.ofMillis(1100));
            Waiter.until("B's keepalive reaches A", WAIT, () -> p.a.counters().transportPacketsReceived() == before + 1);
            assertThat(p.tunA.poll()).as("a keepalive carries no packet").isNull();
            clock.advance(Duration.ofSeconds(30));
            assertThat(p.a.counters().transportPacketsReceived()).as("only one keepalive").isEqualTo(before + 1);
        }
    }

    @Test
    void persistentKeepalive() throws Exception {
        try (DevicePair p = new DevicePair(options)) {
            connectAndSettle(p);
            long before = p.b.counters().transportPacketsReceived();
            p.a.apply(DeviceUpdate.peers(DevicePair.peerWithKeepalive(p.keyB.publicKey(), 25)));
            try {
                Waiter.until("the first persistent keepalive is sent at once", WAIT,
                        () -> p.b.counters().transportPacketsReceived() == before + 1);
            } catch (AssertionError e) {
                throw new AssertionError("before " + before + " A " + p.a.counters() + " B " + p.b.counters(), e);
            }
            clock.advance(Duration.ofSeconds(24));
            assertThat(p.b.counters().transportPacketsReceived()).isEqualTo(before + 1);
            clock.advance(Duration.ofMillis(1100));
            Waiter.until("the next one after 25 s", WAIT, () -> p.b.counters().transportPacketsReceived() == before + 2);
            clock.advance(Duration.ofSeconds(25));
            Waiter.until("and again", WAIT, () -> p.b.counters().transportPacketsReceived() == before + 3);
        }
    }

    @Test
    void keysAreZeroedAfterThreeTimesRejectAfterTime() throws Exception {
        try (DevicePair p = new DevicePair(options)) {
            connect(p);
            Peer atA = p.a.peer(p.keyB.publicKey());
            assertThat(atA.current).isNotNull();
            p.network.setImpairment((from, to, d) -> Verdict.DROP); // nothing gets through any more
            clock.advance(Duration.ofSeconds(3 * 180 + 1));
            assertThat(atA.current).isNull();
            assertThat(atA.previous).isNull();
            assertThat(atA.next).isNull();
            Waiter.until("B's keypairs zeroed too", WAIT, () -> p.b.peer(p.keyA.publicKey()).current == null
                    && p.b.peer(p.keyA.publicKey()).next == null);
        }
    }

    @Test
    void handshakeRetriesGiveUpAfterRekeyAttemptTime() throws Exception {
        try (DevicePair p = new DevicePair(options)) {
            p.network.setImpairment((from, to, d) -> Verdict.DROP);
            p.tunA.inject(ping());
            Waiter.until("first initiation", WAIT, () -> p.a.counters().handshakeInitiationsSent() == 1);
            Peer atA = p.a.peer(p.keyB.publicKey());
            assertThat(atA.timers.retransmitPending()).isTrue();
            int max = options.timing().maxHandshakeAttempts();
            for (int i = 0; i < max; i++) {
                clock.advance(Duration.ofMillis(5400));
            }
            assertThat(p.a.counters().handshakeInitiationsSent()).isEqualTo(1 + max);
            clock.advance(Duration.ofSeconds(6));
            assertThat(atA.timers.retransmitPending()).isFalse();
            assertThat(p.a.counters().dropped(DropReason.STAGED_OVERFLOW)).as("the staged packet is dropped").isEqualTo(1);
            assertThat(atA.timers.zeroKeyMaterialPending()).isTrue();
            clock.advance(Duration.ofSeconds(60));
            assertThat(p.a.counters().handshakeInitiationsSent()).isEqualTo(1 + max);
        }
    }

    @Test
    void shortenedTimersForceRekeysWhileTrafficFlows() throws Exception {
        Timing fast = Timing.DEFAULT.withRekeyAfterTime(Duration.ofSeconds(2)).withRejectAfterTime(Duration.ofSeconds(5))
                .withRekeyTimeout(Duration.ofMillis(500)).withKeepaliveTimeout(Duration.ofSeconds(1));
        try (DevicePair p = new DevicePair(options.withTiming(fast))) {
            for (int round = 0; round < 15; round++) {
                byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(100, round));
                p.tunA.inject(ping);
                assertThat(p.tunB.take(WAIT)).as("round %d", round).isEqualTo(ping);
                byte[] pong = Packets.ipv4("10.0.0.2", "10.0.0.1", Packets.payload(100, round));
                p.tunB.inject(pong);
                assertThat(p.tunA.take(WAIT)).as("round %d", round).isEqualTo(pong);
                Peer atA = p.a.peer(p.keyB.publicKey());
                Waiter.until("no handshake pending", WAIT,
                        () -> atA.handshake.state() == org.cunicu4j.wireguard.noise.Handshake.State.ZEROED);
                clock.advance(Duration.ofMillis(900));
            }
            assertThat(p.a.counters().handshakesCompleted()).isGreaterThanOrEqualTo(3);
            assertThat(p.b.counters().totalDropped()).isZero();
        }
    }

    @Test
    void cookieUnderLoad() throws Exception {
        // B is always "under load": an initiation without MAC2 gets a cookie reply
        try (DevicePair p = new DevicePair(options, options.withHandshakeLoadThreshold(0))) {
            p.tunA.inject(ping());
            Waiter.until("B sends a cookie reply", WAIT, () -> p.b.counters().cookieRepliesSent() == 1);
            assertThat(p.b.counters().handshakeResponsesSent()).isZero();
            Waiter.until("A takes the cookie", WAIT, () -> p.a.peer(p.keyB.publicKey()).cookieGenerator.hasCookie(clock.nanos()));
            clock.advance(Duration.ofMillis(5400)); // the retry carries MAC2
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping());
            // B counts its response after sending it, so A's data may arrive first
            Waiter.until("B counts its response", WAIT, () -> p.b.counters().handshakeResponsesSent() == 1);
            assertThat(p.b.counters().cookieRepliesSent()).isEqualTo(1);
        }
    }
}
