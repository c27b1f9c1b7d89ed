package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork.Verdict;
import org.cunicu4j.wireguard.noise.CookieGenerator;
import org.cunicu4j.wireguard.noise.Handshake;
import org.cunicu4j.wireguard.noise.Messages;
import org.cunicu4j.wireguard.noise.StaticIdentity;
import org.junit.jupiter.api.Test;

/** Malformed, replayed and foreign datagrams at the receive path: dropped, counted, and the loops go on. */
class BadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Connects A to B and records every transport message A sends to B. */
    private static List<byte[]> connectCapturing(DevicePair p) throws InterruptedException {
        List<byte[]> captured = new CopyOnWriteArrayList<>();
        p.network.setImpairment((from, to, d) -> {
            if (to.equals(p.bindB.endpoint()) && d.get(0) == Messages.TYPE_TRANSPORT) {
                byte[] c = new byte[d.remaining()];
                d.get(c);
                captured.add(c);
            }
            return Verdict.DELIVER;
        });
        byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(60, 1));
        p.tunA.inject(ping);
        assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
        return captured;
    }

    private static void stillForwards(DevicePair p) throws InterruptedException {
        byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(70, 9));
        p.tunA.inject(ping);
        assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
    }

    @Test
    void truncatedGarbageUnknownReceiverAndReplayed() throws Exception {
        try (DevicePair p = new DevicePair()) {
            List<byte[]> captured = connectCapturing(p);
            var from = p.bindA.endpoint();
            p.bindB.inject(from, new byte[] {4, 0});                   // truncated
            p.bindB.inject(from, new byte[] {4, 0, 0, 0, 1, 2, 3});      // transport, too short
            p.bindB.inject(from, new byte[Messages.INITIATION_SIZE - 1]); // type 0: garbage
            byte[] badType = new byte[64];
            badType[0] = 9;
            p.bindB.inject(from, badType);                             // unknown type
            byte[] reserved = captured.getFirst().clone();
            reserved[2] = 1;
            p.bindB.inject(from, reserved);                            // non-zero reserved bytes
            byte[] shortInit = new byte[100];
            shortInit[0] = 1;
            p.bindB.inject(from, shortInit);                           // initiation of the wrong size
            byte[] unknown = captured.getFirst().clone();
            unknown[4] ^= 0x5a;
            p.bindB.inject(from, unknown);                             // unknown receiver index
            byte[] forged = captured.getFirst().clone();
            forged[forged.length - 1] ^= 1;
            p.bindB.inject(from, forged);                              // fails authentication
            p.bindB.inject(from, captured.getFirst());                 // replayed
            Waiter.until("all counted", WAIT, () -> p.b.counters().totalDropped() == 9);
            DeviceCounters c = p.b.counters();
            assertThat(c.dropped(DropReason.TRUNCATED)).isEqualTo(3);
            assertThat(c.dropped(DropReason.UNKNOWN_TYPE)).isEqualTo(3);
            assertThat(c.dropped(DropReason.UNKNOWN_RECEIVER)).isEqualTo(1);
            assertThat(c.dropped(DropReason.DECRYPT_FAILED)).isEqualTo(1);
            assertThat(c.dropped(DropReason.REPLAYED)).isEqualTo(1);
            stillForwards(p);
        }
    }

    @Test
    void outOfWindow() throws Exception {
        try (DevicePair p = new DevicePair()) {
            List<byte[]> captured = connectCapturing(p);
            byte[] first = captured.getFirst();
            int n = org.cunicu4j.wireguard.replay.ReplayWindow.WINDOW_SIZE + 100;
            for (int i = 0; i < n; i++) {
                p.tunA.inject(Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(1, i)));
            }
            for (int i = 0; i < n; i++) {
                assertThat(p.tunB.take(WAIT)).as("packet %d", i).isNotNull();
            }
            p.bindB.inject(p.bindA.endpoint(), first);
            Waiter.until("out of window counted", WAIT, () -> p.b.counters().dropped(DropReason.OUT_OF_WINDOW) == 1);
            assertThat(p.b.counters().dropped(DropReason.REPLAYED)).isZero();
        }
    }

    @Test
    void initiationFromAnUnknownPeerAndBadMac() throws Exception {
        try (DevicePair p = new DevicePair()) {
            connectCapturing(p);
            // a well-formed initiation from a stranger B does not know
            Key stranger = Key.generatePrivate();
            Handshake hs = new Handshake(p.keyB.publicKey());
            hs.setIdentity(new StaticIdentity(stranger));
            byte[] init = new byte[Messages.INITIATION_SIZE];
            hs.createInitiation(init, 77, java.time.Instant.now());
            new CookieGenerator(p.keyB.publicKey(), 1).addMacs(init, init.length, 0);
            p.bindB.inject(p.bindA.endpoint(), init);
            Waiter.until("unknown peer counted", WAIT, () -> p.b.counters().dropped(DropReason.HANDSHAKE_INVALID) == 1);
            byte[] badMac = init.clone();
            badMac[Messages.INIT_MAC1] ^= 1;
            p.bindB.inject(p.bindA.endpoint(), badMac);
            Waiter.until("bad MAC counted", WAIT, () -> p.b.counters().dropped(DropReason.BAD_MAC) == 1);
            assertThat(p.b.counters().handshakeResponsesSent()).isEqualTo(1); // only A's real one
            stillForwards(p);
        }
    }

    /** Seeded fuzz: random datagrams, mutated real ones and truncations; every one is dropped and counted. */
    @Test
    void seededFuzzNeverStopsTheLoops() throws Exception {
        long seed = 0x5eedL;
        Random rnd = new Random(seed);
        try (DevicePair p = new DevicePair()) {
            List<byte[]> captured = connectCapturing(p);
            byte[] real = captured.getFirst();
            var from = p.bindA.endpoint();
            int count = 3000;
            for (int i = 0; i < count; i++) {
                byte[] d;
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        d = new byte[rnd.nextInt(200)];
                        rnd.nextBytes(d);
                    }
                    case 1 -> {
                        d = new byte[rnd.nextInt(200)];
                        rnd.nextBytes(d);
                        if (d.length > 0) {
                            d[0] = (byte) (1 + rnd.nextInt(4));
                        }
                        if (d.length > 3) {
                            d[1] = 0;
                            d[2] = 0;
                            d[3] = 0;
                        }
                    }
                    case 2 -> {
                        d = real.clone();
                        d[rnd.nextInt(d.length)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    default -> d = java.util.Arrays.copyOf(real, rnd.nextInt(real.length));
                }
                p.bindB.inject(from, d);
            }
            Waiter.until("seed " + seed + ": every datagram counted", WAIT, () -> p.b.counters().totalDropped() == count);
            assertThat(p.b.counters().transportPacketsReceived()).as("seed %d", seed).isEqualTo(1);
            stillForwards(p);
        }
    }
}
