package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.junit.jupiter.api.Test;

/** Malformed and unauthenticated input into an agent: each datagram dropped and counted once, the reader lives on. */
class IceAgentFuzzTest {

    @Test
    void namedBadInputIsCountedByKind() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 21)) {
            h.a.gather();
            h.b.gather();
            IceCredentials ca = h.a.localCredentials();
            inject(h, request("wrongufrag:peer", ca.password()));
            inject(h, request(ca.ufrag() + ":peer", "not the password"));
            byte[] good = request(ca.ufrag() + ":peer", ca.password());
            inject(h, Arrays.copyOf(good, good.length - 7)); // truncated
            inject(h, StunMessage.builder(MessageType.BINDING_SUCCESS, TransactionId.random())
                    .xorMappedAddress(h.aConns.get(0).localAddress()).messageIntegrity(new byte[] {1}).fingerprint().build());
            inject(h, StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                    .username(ca.ufrag() + ":peer").fingerprint().build()); // no integrity
            inject(h, "not stun at all".getBytes());
            h.quiesce();
            IceCounters c = h.a.counters();
            assertThat(c.wrongUfrag()).isEqualTo(1);
            assertThat(c.badIntegrity()).isEqualTo(2);
            assertThat(c.malformed()).isEqualTo(1);
            assertThat(c.unknownTransaction()).isEqualTo(1);
            assertThat(c.unexpectedData()).isEqualTo(1);
            assertThat(c.droppedInput()).isEqualTo(6);
            // the good one is answered (and teaches A a peer-reflexive remote candidate)
            inject(h, good);
            h.quiesce();
            assertThat(h.a.counters().droppedInput()).isEqualTo(6);
            assertThat(h.a.candidateStats()).anyMatch(s -> !s.local() && s.candidate().type() == CandidateType.PEER_REFLEXIVE);
        }
    }

    @Test
    void seededRandomInputIsDroppedAndCountedAndTheAgentStillConnects() throws Exception {
        long seed = 0xF022ED1CEL;
        Random r = new Random(seed);
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 22)) {
            h.a.gather();
            h.b.gather();
            IceCredentials ca = h.a.localCredentials();
            byte[] signed = request(ca.ufrag() + ":peer", ca.password());
            int sent = 0;
            for (int i = 0; i < 3000; i++) {
                byte[] d = switch (r.nextInt(6)) {
                    case 0 -> randomBytes(r, r.nextInt(300));
                    case 1 -> stunHeaderWithRandomBody(r);
                    case 2 -> flipOne(r, signed);
                    case 3 -> Arrays.copyOf(signed, r.nextInt(signed.length));
                    case 4 -> request(randomLetters(r) + ":x", r.nextBoolean() ? ca.password() : randomLetters(r));
                    default -> StunMessage.builder(MessageType.of(r.nextInt(0x1000), StunClass.values()[r.nextInt(4)]),
                            TransactionId.random()).attribute(r.nextInt(0x10000), randomBytes(r, r.nextInt(40))).build();
                };
                if (d.length == 0) {
                    continue;
                }
                inject(h, d);
                sent++;
                if (i % 100 == 0) {
                    h.quiesce();
                }
            }
            h.quiesce();
            IceCounters c = h.a.counters();
            // a flip that only breaks the (optional) FINGERPRINT's attribute type leaves a valid, authenticated
            // request: those are answered, everything else is dropped and counted exactly once
            long answered = h.a.candidateStats().stream().filter(s -> !s.local())
                    .mapToLong(s -> s.traffic().requestsReceived()).sum();
            assertThat(answered).as("seed %x", seed).isLessThan(sent / 50);
            assertThat(c.droppedInput() + answered).as("seed %x: %s", seed, c).isEqualTo(sent);
            assertThat(c.malformed()).as("seed %x", seed).isPositive();
            assertThat(c.badIntegrity()).as("seed %x", seed).isPositive();
            assertThat(c.wrongUfrag()).as("seed %x", seed).isPositive();
            assertThat(c.readerErrors()).isZero();
            // the reader is alive: the agents connect and carry data
            h.exchangeCredentials();
            h.a.localCandidates().forEach(h.b::addRemoteCandidate);
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.start();
            h.b.start();
            h.until("connected after the fuzz", Duration.ofSeconds(10),
                    () -> h.a.state().isConnected() && h.b.state().isConnected());
            IceAgentTest.exchange(h, "alive", "too");
        }
    }

    private static byte[] request(String username, String password) {
        return StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                .username(username)
                .priority(Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, 65535, 1))
                .iceControlled(42)
                .messageIntegrity(StunCredentials.shortTermKey(password))
                .fingerprint()
                .build();
    }

    private static byte[] stunHeaderWithRandomBody(Random r) {
        byte[] body = randomBytes(r, r.nextInt(25) * 4);
        ByteBuffer b = ByteBuffer.allocate(20 + body.length);
        b.putShort((short) (r.nextInt(0x4000)));
        b.putShort((short) (r.nextBoolean() ? body.length : r.nextInt(0x10000)));
        b.putInt(StunMessage.MAGIC_COOKIE);
        b.put(randomBytes(r, 12));
        b.put(body);
        return b.array();
    }

    private static byte[] flipOne(Random r, byte[] d) {
        byte[] c = d.clone();
        int i = r.nextInt(c.length);
        c[i] ^= (byte) (1 << r.nextInt(8));
        return c;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String randomLetters(Random r) {
        char[] c = new char[1 + r.nextInt(20)];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) ('a' + r.nextInt(26));
        }
        return new String(c);
    }

    /** Sends {@code d} from B's base to A's (counted in flight, so the harness can wait for A's reader). */
    private static void inject(Harness h, byte[] d) throws IOException {
        PacketBatch batch = new PacketBatch(1, 2048);
        batch.buffer(0).clear().put(d).flip();
        InetSocketAddress to = h.aConns.get(0).localAddress();
        batch.setAddress(0, to);
        batch.setCount(1);
        h.bConns.get(0).send(batch);
    }
}
