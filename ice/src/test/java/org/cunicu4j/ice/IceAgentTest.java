package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

class IceAgentTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void credentialsAreRandomLettersOfTheRightLength() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 1)) {
            IceCredentials c = h.a.localCredentials();
            assertThat(c.ufrag()).hasSize(16).matches("[a-zA-Z]+");
            assertThat(c.password()).hasSize(32).matches("[a-zA-Z]+");
            assertThat(c.toString()).doesNotContain(c.password());
            assertThat(h.b.localCredentials().ufrag()).isNotEqualTo(c.ufrag());
            assertThat(h.a.state()).isEqualTo(IceState.NEW);
        }
    }

    @Test
    void twoAgentsConnectCompleteAndExchangeDataBothWays() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 2, 2)) {
            h.connectAll();
            // the best pair is checked first, nominated at the next tick: connected within a few Ta of fake time
            h.until("both connected", Duration.ofMillis(600), () -> h.a.state().isConnected() && h.b.state().isConnected());
            h.until("both completed", Duration.ofSeconds(30),
                    () -> h.a.state() == IceState.COMPLETED && h.b.state() == IceState.COMPLETED);
            Waiter.until("state events", WAIT, () -> h.aEvents.states.contains(IceState.COMPLETED)
                    && h.bEvents.states.contains(IceState.COMPLETED));
            assertThat(h.aEvents.states).containsExactly(IceState.CHECKING, IceState.CONNECTED, IceState.COMPLETED);
            assertThat(h.bEvents.states).containsExactly(IceState.CHECKING, IceState.CONNECTED, IceState.COMPLETED);
            // path 0 has the highest priority on both sides
            IceCandidatePair sa = h.a.selectedPair().orElseThrow();
            IceCandidatePair sb = h.b.selectedPair().orElseThrow();
            assertThat(sa.local().address()).isEqualTo(h.aConns.get(0).localAddress());
            assertThat(sa.remote().address()).isEqualTo(h.bConns.get(0).localAddress());
            assertThat(sb.local().address()).isEqualTo(sa.remote().address());
            assertThat(sa.typeName()).isEqualTo("host-host");
            Waiter.until("selected-pair events", WAIT, () -> !h.aEvents.selected.isEmpty() && !h.bEvents.selected.isEmpty());
            assertThat(h.aEvents.selected).containsExactly(sa);
            assertThat(h.aEvents.done).isEqualTo(1);
            assertThat(h.aEvents.candidates).hasSize(2);

            exchange(h, "ping", "pong");
            CandidatePairStats selected = h.a.pairStats().stream().filter(CandidatePairStats::selected).findFirst()
                    .orElseThrow();
            assertThat(selected.nominated()).isTrue();
            CandidatePairStats selectedB = h.b.pairStats().stream().filter(CandidatePairStats::selected).findFirst()
                    .orElseThrow();
            assertThat(selectedB.nominated()).isTrue(); // the controlled agent selects what the controlling nominated
            assertThat(selectedB.valid()).isTrue();
            assertThat(selected.traffic().packetsReceived()).isPositive();
            assertThat(selected.traffic().requestsSent()).isPositive();
            assertThat(selected.traffic().responsesReceived()).isPositive();
            assertThat(selected.rttSamples()).isPositive();
            assertThat(selected.currentRtt()).isNotNull();
            assertThat(selected.traffic().lastResponseReceivedNanos()).isPositive();
            // the cross pairs (10.0.0.1 -> 10.0.1.2) cannot work over the in-memory links
            assertThat(h.a.pairStats()).anyMatch(p -> p.state() == CandidatePairState.FAILED);
            assertThat(h.a.candidateStats()).hasSize(4).anyMatch(c -> c.local() && c.traffic().bytesSent() > 0);
            assertThat(h.a.counters().droppedInput()).isZero();
            assertThat(h.b.counters().droppedInput()).isZero();
        }
    }

    @Test
    void roleConflictBothControllingIsResolvedByTieBreaker() throws Exception {
        roleConflict(IceRole.CONTROLLING);
    }

    @Test
    void roleConflictBothControlledIsResolvedByTieBreaker() throws Exception {
        roleConflict(IceRole.CONTROLLED);
    }

    private void roleConflict(IceRole both) throws Exception {
        for (long seed = 10; seed < 14; seed++) {
            try (Harness h = new Harness(both, both, 1, seed)) {
                h.connectAll();
                h.until("both connected", Duration.ofSeconds(30), () -> h.a.state().isConnected() && h.b.state().isConnected());
                assertThat(h.a.role()).isNotEqualTo(h.b.role());
                // the larger tie-breaker controls
                IceAgent winner = Long.compareUnsigned(h.a.tieBreaker(), h.b.tieBreaker()) > 0 ? h.a : h.b;
                assertThat(winner.role()).as("seed %d", seed).isEqualTo(IceRole.CONTROLLING);
                assertThat(h.a.counters().roleConflicts() + h.b.counters().roleConflicts()).isPositive();
                exchange(h, "a" + seed, "b" + seed);
            }
        }
    }

    @Test
    void candidateTypesNotAllowedAreNotUsed() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 15,
                b -> b.candidateTypes(java.util.EnumSet.of(CandidateType.RELAY)))) {
            h.a.gather();
            assertThat(h.a.localCandidates()).isEmpty();
            Waiter.until("gathering done", WAIT, () -> h.aEvents.done == 1);
            assertThat(h.aEvents.candidates).isEmpty();
        }
    }

    @Test
    void trickleCandidatesAfterChecksBeganAndBeforeCredentials() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 3)) {
            h.a.gather();
            h.b.gather();
            h.a.start();
            h.b.start();
            h.step(Duration.ofSeconds(1));
            // candidates before the credentials: nothing can be checked yet
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.localCandidates().forEach(h.b::addRemoteCandidate);
            h.step(Duration.ofSeconds(1));
            assertThat(h.a.state()).isEqualTo(IceState.CHECKING);
            assertThat(h.a.pairStats()).allMatch(p -> p.traffic().requestsSent() == 0);
            h.exchangeCredentials();
            h.until("connected", Duration.ofSeconds(10), () -> h.a.state().isConnected() && h.b.state().isConnected());
            assertThat(h.a.state()).isEqualTo(IceState.CONNECTED); // no end-of-candidates yet: not completed
            h.a.endOfRemoteCandidates();
            h.b.endOfRemoteCandidates();
            h.until("completed", Duration.ofSeconds(10), () -> h.a.state() == IceState.COMPLETED);
            exchange(h, "x", "y");
        }
    }

    @Test
    void remoteCandidatesAfterChecksStartedAreChecked() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 4)) {
            h.a.gather();
            h.b.gather();
            h.exchangeCredentials();
            h.a.start();
            h.b.start();
            h.step(Duration.ofSeconds(2));
            assertThat(h.a.state()).isEqualTo(IceState.CHECKING);
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.until("connected", Duration.ofSeconds(10), () -> h.a.state().isConnected() && h.b.state().isConnected());
        }
    }

    @Test
    void peerReflexiveCandidatesAreLearntOnBothSides() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 5)) {
            h.a.gather();
            h.b.gather();
            h.exchangeCredentials();
            // B never hears of A's candidates: it learns A's address from A's checks (remote prflx)
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.start();
            h.b.start();
            h.until("connected", Duration.ofSeconds(10), () -> h.a.state().isConnected() && h.b.state().isConnected());
            assertThat(h.b.selectedPair().orElseThrow().remote().type()).isEqualTo(CandidateType.PEER_REFLEXIVE);
            assertThat(h.b.selectedPair().orElseThrow().remote().address()).isEqualTo(h.aConns.get(0).localAddress());
            exchange(h, "p", "q");
        }
    }

    @Test
    void localPeerReflexiveCandidateIsLearntFromTheMappedAddress() throws Exception {
        // A announces an address its base does not have (as behind a NAT): B sees the base address,
        // A learns it as a peer-reflexive local candidate from XOR-MAPPED-ADDRESS
        InetSocketAddress announced = new InetSocketAddress(Harness.ip("192.168.7.7"), 5000);
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 6, c -> c, announced)) {
            h.a.gather();
            h.b.gather();
            h.exchangeCredentials();
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.localCandidates().forEach(h.b::addRemoteCandidate); // 192.168.7.7: unreachable for B
            h.a.start();
            h.b.start();
            h.until("connected", Duration.ofSeconds(10), () -> h.a.state().isConnected() && h.b.state().isConnected());
            assertThat(h.a.selectedPair().orElseThrow().local().address()).isEqualTo(h.aConns.get(0).localAddress());
            assertThat(h.a.selectedPair().orElseThrow().local().type()).isEqualTo(CandidateType.PEER_REFLEXIVE);
            assertThat(h.a.localCandidates()).extracting(Candidate::address).containsExactly(announced);
            exchange(h, "through", "prflx");
            assertThat(h.a.candidateStats()).anyMatch(c -> c.local() && c.candidate().type() == CandidateType.PEER_REFLEXIVE
                    && c.candidate().address().equals(h.aConns.get(0).localAddress()));
        }
    }

    @Test
    void consentLossDisconnectsThenRecoversWhenThePathReturns() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 7)) {
            h.connectAll();
            h.until("completed", Duration.ofSeconds(30), () -> h.a.state() == IceState.COMPLETED && h.b.state() == IceState.COMPLETED);
            h.step(Duration.ofSeconds(10));
            assertThat(h.a.state()).isEqualTo(IceState.COMPLETED); // consent keeps it alive
            long start = h.clock.nanoTime();
            h.blockPath(0, true);
            h.until("disconnected", Duration.ofSeconds(8), () -> h.a.state() == IceState.DISCONNECTED);
            long took = h.clock.nanoTime() - start;
            // no response for 5 s (the last one came up to one consent interval, 2.4 s, before the cut)
            assertThat(took).isBetween(Duration.ofMillis(2500).toNanos(), Duration.ofMillis(5100).toNanos());
            h.until("B disconnected", Duration.ofSeconds(3), () -> h.b.state() == IceState.DISCONNECTED);
            h.blockPath(0, false);
            h.until("connected again", Duration.ofSeconds(4), () -> h.a.state().isConnected() && h.b.state().isConnected());
            Waiter.until("events " + h.aEvents.states, WAIT, () -> h.aEvents.states.size() >= 5);
            assertThat(h.aEvents.states).containsExactly(IceState.CHECKING, IceState.CONNECTED, IceState.COMPLETED,
                    IceState.DISCONNECTED, IceState.COMPLETED);
            exchange(h, "back", "again");
        }
    }

    @Test
    void disconnectedReturnsToConnectedBeforeCompletion() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 17)) {
            h.a.gather();
            h.b.gather();
            h.exchangeCredentials();
            h.a.localCandidates().forEach(h.b::addRemoteCandidate);
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.start();
            h.b.start();
            // no end-of-candidates: connected, never completed
            h.until("connected", Duration.ofSeconds(10), () -> h.a.state() == IceState.CONNECTED);
            h.blockPath(0, true);
            h.until("disconnected", Duration.ofSeconds(6), () -> h.a.state() == IceState.DISCONNECTED);
            h.step(Duration.ofSeconds(5)); // well before the failed timeout
            assertThat(h.a.state()).isEqualTo(IceState.DISCONNECTED);
            h.blockPath(0, false);
            h.until("connected again", Duration.ofSeconds(4), () -> h.a.state() == IceState.CONNECTED);
            Waiter.until("events " + h.aEvents.states, WAIT, () -> h.aEvents.states.size() >= 4);
            assertThat(h.aEvents.states).containsExactly(IceState.CHECKING, IceState.CONNECTED, IceState.DISCONNECTED,
                    IceState.CONNECTED);
            exchange(h, "again", "yes");
        }
    }

    @Test
    void consentLossFailsAfterTheFailedTimeoutAndRestartConnectsAgain() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 8)) {
            h.connectAll();
            h.until("connected", Duration.ofSeconds(30), () -> h.a.state().isConnected() && h.b.state().isConnected());
            h.blockPath(0, true);
            long start = h.clock.nanoTime();
            h.until("disconnected", Duration.ofSeconds(6), () -> h.a.state() == IceState.DISCONNECTED);
            h.until("failed", Duration.ofSeconds(25), () -> h.a.state() == IceState.FAILED && h.b.state() == IceState.FAILED);
            long took = h.clock.nanoTime() - start;
            assertThat(took).isBetween(Duration.ofMillis(22_500).toNanos(), Duration.ofMillis(25_100).toNanos());
            assertThat(h.a.selectedPair()).isPresent(); // the last selected pair stays visible
            // failed: data is dropped, not sent
            long before = h.a.counters().dataDroppedNoRoute();
            send(h.a.connection(), "lost");
            assertThat(h.a.counters().dataDroppedNoRoute()).isEqualTo(before + 1);

            h.blockPath(0, false);
            IceCredentials oldA = h.a.localCredentials();
            h.a.restart();
            h.b.restart();
            assertThat(h.a.localCredentials().ufrag()).isNotEqualTo(oldA.ufrag());
            assertThat(h.a.state()).isEqualTo(IceState.CHECKING);
            assertThat(h.a.selectedPair()).isEmpty();
            h.exchangeCredentials();
            h.a.localCandidates().forEach(h.b::addRemoteCandidate);
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.endOfRemoteCandidates();
            h.b.endOfRemoteCandidates();
            h.until("connected after restart", Duration.ofSeconds(10),
                    () -> h.a.state().isConnected() && h.b.state().isConnected());
            Waiter.until("restart events", WAIT, () -> h.aEvents.done == 2 && h.aEvents.candidates.size() == 2
                    && h.aEvents.states.contains(IceState.FAILED) && h.aEvents.states.getLast().isConnected());
            assertThat(h.aEvents.states).containsSubsequence(IceState.CONNECTED, IceState.DISCONNECTED, IceState.FAILED,
                    IceState.CHECKING, IceState.CONNECTED);
            exchange(h, "restarted", "too");
        }
    }

    @Test
    void checkingFailsWhenEveryPairFailed() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 9)) {
            h.a.gather();
            h.exchangeCredentials();
            h.a.addRemoteCandidate(Harness.host(new InetSocketAddress(Harness.ip("10.0.0.99"), 5000), 65535));
            h.a.endOfRemoteCandidates();
            h.a.start();
            h.until("failed", Duration.ofSeconds(15), () -> h.a.state() == IceState.FAILED);
            assertThat(h.a.pairStats()).allMatch(p -> p.state() == CandidatePairState.FAILED);
            // 7 transmissions of the one check
            assertThat(h.a.pairStats().getFirst().traffic().requestsSent()).isEqualTo(7);
        }
    }

    @Test
    void checkingFailsAfterTheFailedTimeoutWithoutEndOfCandidates() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 9)) {
            h.a.gather();
            h.exchangeCredentials();
            h.a.start();
            h.step(Duration.ofSeconds(24));
            assertThat(h.a.state()).isEqualTo(IceState.CHECKING);
            h.until("failed", Duration.ofSeconds(2), () -> h.a.state() == IceState.FAILED);
        }
    }

    @Test
    void lateTrickledCandidatesRestartTheFailedTimeout() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 16)) {
            h.a.gather();
            h.b.gather();
            h.exchangeCredentials();
            h.a.start();
            h.b.start();
            h.step(Duration.ofSeconds(20));
            assertThat(h.a.state()).isEqualTo(IceState.CHECKING);
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.localCandidates().forEach(h.b::addRemoteCandidate);
            h.until("connected", Duration.ofSeconds(10), () -> h.a.state().isConnected() && h.b.state().isConnected());
            assertThat(h.aEvents.states).doesNotContain(IceState.FAILED);
        }
    }

    @Test
    void keepalivesAreSentOnAnIdleSelectedPair() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 11,
                b -> b.consentInterval(Duration.ofSeconds(4)).disconnectedTimeout(Duration.ofSeconds(10)))) {
            h.connectAll();
            h.until("connected", Duration.ofSeconds(30), () -> h.a.state().isConnected() && h.b.state().isConnected());
            long before = h.aConns.get(0).indicationsSent();
            h.step(Duration.ofSeconds(10));
            assertThat(h.aConns.get(0).indicationsSent() - before).isBetween(2L, 6L);
            assertThat(h.a.state().isConnected()).isTrue();
            // data keeps the pair busy: no keepalive is needed while it flows
            long during = h.aConns.get(0).indicationsSent();
            for (int i = 0; i < 40; i++) {
                send(h.a.connection(), "d" + i);
                h.step(Duration.ofMillis(100));
            }
            assertThat(h.aConns.get(0).indicationsSent()).isEqualTo(during);
        }
    }

    @Test
    void selectedPairSwitchesWhenItsPathDiesAndTheConnectionFollows() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 2, 12)) {
            h.connectAll();
            h.until("completed", Duration.ofSeconds(30), () -> h.a.state() == IceState.COMPLETED && h.b.state() == IceState.COMPLETED);
            assertThat(h.a.selectedPair().orElseThrow().local().address()).isEqualTo(h.aConns.get(0).localAddress());
            IceConnection ca = h.a.connection();
            IceConnection cb = h.b.connection();
            exchange(h, "on path 0", "reply on path 0");
            h.blockPath(0, true);
            h.until("switched", Duration.ofSeconds(10), () -> h.a.state().isConnected() && h.b.state().isConnected()
                    && h.a.selectedPair().orElseThrow().local().address().equals(h.aConns.get(1).localAddress())
                    && h.b.selectedPair().orElseThrow().local().address().equals(h.bConns.get(1).localAddress()));
            assertThat(h.a.connection()).isSameAs(ca);
            assertThat(h.b.connection()).isSameAs(cb);
            assertThat(ca.remoteAddress()).isEqualTo(h.bConns.get(1).localAddress());
            exchange(h, "on path 1", "reply on path 1");
            Waiter.until("switch events", WAIT, () -> h.aEvents.selected.size() == 2 && h.bEvents.selected.size() == 2);
            assertThat(h.aEvents.states).contains(IceState.DISCONNECTED);
        }
    }

    @Test
    void aSlowListenerDoesNotStallChecks() throws Exception {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 13)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            h.a.addListener(new IceListener() {
                @Override
                public void stateChanged(IceState from, IceState to) {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            h.connectAll();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            h.until("connected while the listener blocks", Duration.ofSeconds(10),
                    () -> h.a.state().isConnected() && h.b.state().isConnected());
            assertThat(h.aEvents.states).doesNotContain(IceState.CONNECTED); // queued behind the slow one
            release.countDown();
            Waiter.until("events delivered in order: " + h.aEvents.states, WAIT,
                    () -> h.aEvents.states.contains(IceState.CONNECTED));
            assertThat(h.aEvents.states.getFirst()).isEqualTo(IceState.CHECKING);
        }
    }

    @Test
    void closeWakesABlockedReceiverAndIsFinal() throws Exception {
        Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 14);
        h.connectAll();
        h.until("connected", Duration.ofSeconds(30), () -> h.a.state().isConnected() && h.b.state().isConnected());
        CompletableFuture<Throwable> receiver = CompletableFuture.supplyAsync(() -> {
            try {
                h.a.connection().receive(new PacketBatch(1, 2048));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        h.a.close();
        assertThat(receiver.get(10, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        assertThat(h.a.state()).isEqualTo(IceState.CLOSED);
        Waiter.until("closed event", WAIT, () -> h.aEvents.states.contains(IceState.CLOSED));
        h.a.close(); // idempotent
        h.b.close();
        assertThat(h.b.state()).isEqualTo(IceState.CLOSED);
    }

    static void exchange(Harness h, String fromA, String fromB) throws IOException {
        send(h.a.connection(), fromA);
        h.quiesce();
        assertThat(receive(h.b.connection())).isEqualTo(fromA);
        send(h.b.connection(), fromB);
        h.quiesce();
        assertThat(receive(h.a.connection())).isEqualTo(fromB);
    }

    static void send(IceConnection c, String text) throws IOException {
        PacketBatch batch = new PacketBatch(1, 2048);
        batch.buffer(0).clear().put(text.getBytes(StandardCharsets.UTF_8)).flip();
        batch.setAddress(0, new InetSocketAddress(Harness.ip("192.0.2.200"), 1)); // overwritten: goes to the selected remote
        batch.setCount(1);
        c.send(batch);
    }

    static String receive(IceConnection c) throws IOException {
        PacketBatch batch = new PacketBatch(4, 2048);
        int n = c.receive(batch);
        assertThat(n).isEqualTo(1);
        ByteBuffer b = batch.buffer(0);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        assertThat(batch.address(0)).isEqualTo(c.remoteAddress());
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
