package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.junit.jupiter.api.Test;

/**
 * Both agents on the same pair and data on any valid pair (RFC 8445 §8.1.1, §12), and the
 * controlling agent's acceptance waits before nominating a server-reflexive or relayed pair
 * (fake clock, in-memory links; see {@link Harness}).
 */
class IceNominationTest {

    /**
     * A (controlling) and B connected on path 0 with path 1 valid on both sides too: path 0 is
     * blocked until path 1 has validated, and A waits for it (long nomination wait).
     */
    private static Harness twoValidPaths(long seed) {
        Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 3, seed,
                c -> c.nominationWait(Duration.ofSeconds(10)).maxCheckTransmissions(20));
        h.blockPath(0, true);
        h.blockPath(2, true);
        h.connectAll();
        h.until("path 1 valid on both sides", Duration.ofSeconds(5),
                () -> validOn(h.a, h.aConns.get(1), h.bConns.get(1)) && validOn(h.b, h.bConns.get(1), h.aConns.get(1)));
        assertThat(h.a.selectedPair()).as("A waits for the better pair still being checked").isEmpty();
        h.blockPath(0, false);
        h.until("both connected", Duration.ofSeconds(10), () -> h.a.state().isConnected() && h.b.state().isConnected());
        assertThat(h.a.selectedPair().orElseThrow().local().address()).isEqualTo(h.aConns.get(0).localAddress());
        assertThat(h.b.selectedPair().orElseThrow().local().address()).isEqualTo(h.bConns.get(0).localAddress());
        return h;
    }

    private static boolean validOn(IceAgent agent, PacketConn local, PacketConn remote) {
        return agent.pairStats().stream().anyMatch(p -> p.valid() && p.local().address().equals(local.localAddress())
                && p.remote().address().equals(remote.localAddress()));
    }

    @Test
    void dataFromAValidButNotSelectedPairIsDeliveredAndCounted() throws Exception {
        try (Harness h = twoValidPaths(31)) {
            // A sends over path 1 (as if it had selected that pair): B's selected pair is path 0
            sendRaw(h.aConns.get(1), h.bConns.get(1).localAddress(), "over path 1");
            h.quiesce();
            Received r = receive(h.b.connection());
            assertThat(r.text()).isEqualTo("over path 1");
            assertThat(r.from()).isEqualTo(h.aConns.get(1).localAddress());
            assertThat(h.b.counters().dataFromOtherValidPair()).isEqualTo(1);
            assertThat(h.b.counters().unexpectedData()).isZero();
            CandidatePairStats path1 = h.b.pairStats().stream().filter(p -> p.valid() && !p.selected()
                    && p.local().address().equals(h.bConns.get(1).localAddress())).findFirst().orElseThrow();
            assertThat(path1.traffic().packetsReceived()).isPositive();
            // data on the selected pair is not counted as "other"
            IceAgentTest.send(h.a.connection(), "selected");
            h.quiesce();
            assertThat(receive(h.b.connection()).text()).isEqualTo("selected");
            assertThat(h.b.counters().dataFromOtherValidPair()).isEqualTo(1);
        }
    }

    @Test
    void dataFromAnAddressOfNoValidPairIsDroppedAndCounted() throws Exception {
        try (Harness h = twoValidPaths(32)) {
            assertThat(validOn(h.b, h.bConns.get(2), h.aConns.get(2))).as("path 2 was never valid").isFalse();
            h.blockPath(2, false);
            sendRaw(h.aConns.get(2), h.bConns.get(2).localAddress(), "over path 2");
            h.quiesce();
            assertThat(h.b.counters().unexpectedData()).isEqualTo(1);
            assertThat(h.b.counters().dataFromOtherValidPair()).isZero();
            // nothing was queued: the next datagram received is the one sent after
            IceAgentTest.send(h.a.connection(), "after");
            h.quiesce();
            assertThat(receive(h.b.connection()).text()).isEqualTo("after");
        }
    }

    @Test
    void theControlledAgentFollowsTheLatestNominationEvenOfALowerPriorityPair() throws Exception {
        try (Harness h = twoValidPaths(33)) {
            // A nominates path 1 (lower priority than B's selected path 0, whose consent is fresh)
            IceCredentials bc = h.b.localCredentials();
            byte[] nomination = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                    .username(bc.ufrag() + ":" + h.a.localCredentials().ufrag())
                    .priority(Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, 64535, 1))
                    .iceControlling(h.a.tieBreaker())
                    .useCandidate()
                    .messageIntegrity(StunCredentials.shortTermKey(bc.password()))
                    .fingerprint()
                    .build();
            sendRaw(h.aConns.get(1), h.bConns.get(1).localAddress(), nomination);
            h.until("B follows the nomination", Duration.ofMillis(200),
                    () -> h.b.selectedPair().orElseThrow().local().address().equals(h.bConns.get(1).localAddress()));
            assertThat(h.b.selectedPair().orElseThrow().remote().address()).isEqualTo(h.aConns.get(1).localAddress());
            // A still sends on path 0 and receives B's data over path 1: data flows both ways
            IceAgentTest.send(h.b.connection(), "from B on path 1");
            h.quiesce();
            Received r = receive(h.a.connection());
            assertThat(r.text()).isEqualTo("from B on path 1");
            assertThat(r.from()).isEqualTo(h.bConns.get(1).localAddress());
            assertThat(h.a.counters().dataFromOtherValidPair()).isEqualTo(1);
            IceAgentTest.send(h.a.connection(), "from A on path 0");
            h.quiesce();
            assertThat(receive(h.b.connection()).text()).isEqualTo("from A on path 0");
            assertThat(h.b.counters().dataFromOtherValidPair()).isEqualTo(1);
        }
    }

    @Test
    void theControllingAgentNominatesOnce() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 2, 34)) {
            h.connectAll();
            h.until("both completed", Duration.ofSeconds(30),
                    () -> h.a.state() == IceState.COMPLETED && h.b.state() == IceState.COMPLETED);
            h.step(Duration.ofSeconds(5));
            assertThat(h.a.pairStats().stream().filter(CandidatePairStats::nominated).count()).isEqualTo(1);
            assertThat(h.b.pairStats().stream().filter(CandidatePairStats::nominated).count()).isEqualTo(1);
            assertThat(h.b.selectedPair().orElseThrow().local().address())
                    .isEqualTo(h.a.selectedPair().orElseThrow().remote().address());
        }
    }

    // ---- acceptance waits ------------------------------------------------------------------

    /**
     * A (controlling) learns B's path-i candidate with the given type (path 0 the best); one
     * check every 50 ms, so every pair is checked within the first few hundred ms; checks
     * retransmit every 300 ms at most and a pair is given up only after 20 sends, so a blocked
     * pair stays pending throughout.
     */
    private static Harness typed(long seed, CandidateType... types) {
        Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, types.length, seed,
                c -> c.checkInterval(Duration.ofMillis(50)).maxRto(Duration.ofMillis(300)).maxCheckTransmissions(20));
        h.a.gather();
        h.b.gather();
        h.exchangeCredentials();
        for (Candidate c : h.b.localCandidates()) {
            int path = c.address().getAddress().getAddress()[2];
            CandidateType t = types[path];
            h.a.addRemoteCandidate(new Candidate("typed" + path, 1, Candidate.priorityOf(t, 65535 - 1000 * path, 1),
                    c.address(), t, t == CandidateType.HOST ? null : c.address(),
                    t == CandidateType.RELAY ? Candidate.RelayProtocol.UDP : null));
        }
        h.a.localCandidates().forEach(h.b::addRemoteCandidate);
        h.a.endOfRemoteCandidates();
        h.b.endOfRemoteCandidates();
        return h;
    }

    private static boolean validOfType(IceAgent agent, CandidateType remoteType) {
        return agent.pairStats().stream().anyMatch(p -> p.valid() && p.remote().type() == remoteType);
    }

    @Test
    void aServerReflexivePairThatValidatesAfterARelayedOneIsNominated() {
        try (Harness h = typed(35, CandidateType.HOST, CandidateType.SERVER_REFLEXIVE, CandidateType.RELAY)) {
            h.blockPath(0, true); // the host pair never answers: stays pending
            h.blockPath(1, true); // the NAT drops the first checks
            long t0 = h.clock.nanoTime();
            h.a.start();
            h.b.start();
            h.until("the relayed pair is valid", Duration.ofMillis(500), () -> validOfType(h.a, CandidateType.RELAY));
            h.step(Duration.ofMillis(800).minus(Duration.ofNanos(h.clock.nanoTime() - t0)));
            assertThat(h.a.selectedPair()).as("the relayed pair waits its acceptance wait").isEmpty();
            h.blockPath(1, false);
            h.until("A selects", Duration.ofSeconds(3), () -> h.a.selectedPair().isPresent());
            IceCandidatePair sa = h.a.selectedPair().orElseThrow();
            assertThat(sa.remote().type()).isEqualTo(CandidateType.SERVER_REFLEXIVE);
            h.until("B selects", Duration.ofMillis(500), () -> h.b.selectedPair().isPresent());
            assertThat(h.b.selectedPair().orElseThrow().local().address()).isEqualTo(sa.remote().address());
            assertThat(h.a.pairStats().stream().filter(CandidatePairStats::nominated).count()).isEqualTo(1);
        }
    }

    @Test
    void aRelayedPairAloneIsNominatedWithinTheRelayAcceptanceWait() {
        try (Harness h = typed(36, CandidateType.HOST, CandidateType.RELAY)) {
            h.blockPath(0, true); // the better host pair stays pending
            h.a.start();
            h.b.start();
            h.step(Duration.ofMillis(1500));
            assertThat(validOfType(h.a, CandidateType.RELAY)).isTrue();
            assertThat(h.a.selectedPair()).isEmpty();
            // 2 s after the first check (at t = 0), plus the tick it is nominated in
            h.until("A selects the relayed pair", Duration.ofMillis(700), () -> h.a.selectedPair().isPresent());
            assertThat(h.a.selectedPair().orElseThrow().remote().type()).isEqualTo(CandidateType.RELAY);
            assertThat(h.a.selectedPair().orElseThrow().typeName()).isEqualTo("host-relay");
        }
    }

    @Test
    void aRelayedPairWithNothingBetterPendingIsNominatedAtOnce() {
        try (Harness h = typed(37, CandidateType.RELAY)) {
            h.a.start();
            h.b.start();
            h.until("A selects", Duration.ofMillis(600), () -> h.a.selectedPair().isPresent());
            assertThat(h.a.selectedPair().orElseThrow().remote().type()).isEqualTo(CandidateType.RELAY);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    record Received(String text, InetSocketAddress from) {}

    /** The next datagram the connection delivers; fails after 5 s (real time) instead of blocking. */
    static Received receive(IceConnection c) throws Exception {
        PacketBatch batch = new PacketBatch(4, 2048);
        int n;
        try {
            n = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.receive(batch);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Executors.newVirtualThreadPerTaskExecutor()).get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("nothing delivered within 5 s", e);
        }
        assertThat(n).isEqualTo(1);
        ByteBuffer b = batch.buffer(0);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new Received(new String(bytes, StandardCharsets.UTF_8), batch.address(0));
    }

    static void sendRaw(PacketConn from, InetSocketAddress to, String text) throws IOException {
        sendRaw(from, to, text.getBytes(StandardCharsets.UTF_8));
    }

    static void sendRaw(PacketConn from, InetSocketAddress to, byte[] data) throws IOException {
        PacketBatch batch = new PacketBatch(1, 2048);
        batch.buffer(0).clear().put(data).flip();
        batch.setAddress(0, to);
        batch.setCount(1);
        from.send(batch);
    }

    @SuppressWarnings("unused")
    private static List<CandidatePairStats> pairs(IceAgent a) {
        return a.pairStats();
    }
}
