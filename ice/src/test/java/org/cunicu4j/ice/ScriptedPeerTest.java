package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import java.util.function.BooleanSupplier;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent against a peer the test plays by hand (fake clock): failure, FAILED being final, unauthenticated input. */
class ScriptedPeerTest {

    private ScriptedPeer peer;

    private ScriptedPeer peer(IceRole role) {
        peer = new ScriptedPeer(role, b -> b.disconnectedTimeout(Duration.ofSeconds(1))
                .consentInterval(Duration.ofMillis(300)).failedTimeout(Duration.ofSeconds(3)));
        return peer;
    }

    @AfterEach
    void tearDown() {
        if (peer != null) {
            peer.close();
        }
    }

    private static void waitFor(String what, BooleanSupplier c) {
        Waiter.until(what, Duration.ofSeconds(10), c);
    }

    private boolean hasValidPair() {
        return peer.agent.pairStats().stream().anyMatch(CandidatePairStats::valid);
    }

    /** Steps the fake clock by 10 ms until {@code c} holds; fails after {@code max} of fake time. */
    private void stepUntil(String what, Duration max, BooleanSupplier c) {
        for (long t = 0; !c.getAsBoolean(); t += 10_000_000L) {
            if (t > max.toNanos()) {
                throw new AssertionError("not within " + max + " of fake time: " + what + "; " + peer.agent
                        + " " + peer.agent.pairStats());
            }
            peer.clock.advance(Duration.ofMillis(10));
        }
    }

    @Test
    void aControlledAgentThatIsNeverNominatedFailsAfterTheFailedTimeout() throws Exception {
        IceAgent agent = peer(IceRole.CONTROLLED).start().agent;
        peer.answer(peer.nextRequest(Duration.ofSeconds(1)));
        waitFor("the pair is valid", this::hasValidPair);
        assertThat(agent.state()).isEqualTo(IceState.CHECKING);
        // the peer goes silent and never nominates: failed timeout (3 s) after the last news
        stepUntil("FAILED", Duration.ofSeconds(4), () -> agent.state() == IceState.FAILED);
        assertThat(agent.selectedPair()).isEmpty();
    }

    /** Controlled agent: the peer's check answered, the peer nominates; CONNECTED on the peer's pair. */
    private IceAgent connectControlled() throws Exception {
        IceAgent agent = peer(IceRole.CONTROLLED).start().agent;
        peer.answer(peer.nextRequest(Duration.ofSeconds(1)));
        waitFor("the pair is valid", this::hasValidPair);
        peer.send(peer.request(b -> b.iceControlling(-1L).useCandidate(), null));
        waitFor("connected", () -> agent.state().isConnected());
        return agent;
    }

    private boolean responded(byte[] request) {
        TransactionId tid = parse(request).transactionId();
        for (byte[] b : peer.received) {
            StunMessage m = parse(b);
            if (m.messageClass() != StunClass.REQUEST && m.messageClass() != StunClass.INDICATION
                    && m.transactionId().equals(tid)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aFailedAgentIgnoresNominationsAndSendsNoData() throws Exception {
        IceAgent agent = connectControlled();
        stepUntil("FAILED (consent lost)", Duration.ofSeconds(4), () -> agent.state() == IceState.FAILED);
        peer.received.clear();
        long dropped = agent.counters().unexpectedStun();
        byte[] nomination = peer.request(b -> b.iceControlling(-1L).useCandidate(), null);
        peer.send(nomination);
        waitFor("the nomination is handled", () -> agent.counters().unexpectedStun() > dropped || responded(nomination));
        assertThat(responded(nomination)).as("answered while FAILED").isFalse();
        peer.clock.advance(Duration.ofSeconds(1));
        assertThat(agent.state()).isEqualTo(IceState.FAILED);
        assertThat(agent.connection().remoteAddress()).isNull();
        long noRoute = agent.counters().dataDroppedNoRoute();
        IceAgentTest.send(agent.connection(), "after failed");
        assertThat(agent.counters().dataDroppedNoRoute()).isEqualTo(noRoute + 1);
        assertThat(peer.received).as("sent while FAILED").isEmpty();
    }

    private static final byte[] WRONG_KEY = org.cunicu4j.stun.StunCredentials.shortTermKey("notthepasswordnotthepassword!!");

    @Test
    void unauthenticatedInputAfterConnectedChangesNothing() throws Exception {
        IceAgent agent = connectControlled();
        IceCandidatePair selected = agent.selectedPair().orElseThrow();
        long bad = agent.counters().badIntegrity();
        // a success response reusing a live consent transaction id, with bad integrity and another mapped address
        StunMessage consent = peer.nextRequest(Duration.ofSeconds(2));
        peer.send(StunMessage.builder(org.cunicu4j.stun.MessageType.BINDING_SUCCESS, consent.transactionId())
                .xorMappedAddress(CandidateTest.addr("192.0.2.66", 6666)).messageIntegrity(WRONG_KEY).fingerprint()
                .build());
        // a forged 487 for the same transaction
        peer.send(StunMessage.builder(org.cunicu4j.stun.MessageType.BINDING_ERROR, consent.transactionId())
                .errorCode(org.cunicu4j.stun.ErrorCode.ROLE_CONFLICT, "Role Conflict").messageIntegrity(WRONG_KEY)
                .fingerprint().build());
        // a USE-CANDIDATE request with bad integrity, claiming the controlling role with the largest tie-breaker
        peer.send(peer.request(b -> b.iceControlled(-1L).useCandidate(), WRONG_KEY));
        waitFor("three datagrams counted as bad integrity", () -> agent.counters().badIntegrity() == bad + 3);
        assertThat(agent.role()).isEqualTo(IceRole.CONTROLLED);
        assertThat(agent.selectedPair()).contains(selected);
        assertThat(agent.state().isConnected()).isTrue();
        assertThat(agent.counters().roleConflicts()).isZero();
        // the real answer to the same transaction still counts
        peer.answer(consent);
        waitFor("consent answered", () -> agent.pairStats().stream().filter(CandidatePairStats::selected)
                .anyMatch(p -> p.traffic().responsesReceived() >= 2));
        assertThat(agent.selectedPair()).contains(selected);
    }

    @Test
    void unauthenticatedResponsesAndIndicationsDoNotRefreshConsent() throws Exception {
        IceAgent agent = connectControlled();
        // the peer stops answering: DISCONNECTED after 1 s
        stepUntil("DISCONNECTED", Duration.ofSeconds(2), () -> agent.state() == IceState.DISCONNECTED);
        for (int i = 0; i < 5; i++) {
            StunMessage consent = peer.nextRequest(Duration.ofSeconds(1));
            long bad = agent.counters().badIntegrity();
            peer.send(StunMessage.builder(org.cunicu4j.stun.MessageType.BINDING_SUCCESS, consent.transactionId())
                    .xorMappedAddress(peer.agentAddress()).messageIntegrity(WRONG_KEY).fingerprint().build());
            peer.send(StunMessage.builder(org.cunicu4j.stun.MessageType.BINDING_SUCCESS, consent.transactionId())
                    .xorMappedAddress(peer.agentAddress()).fingerprint().build()); // no integrity at all
            peer.send(StunMessage.builder(org.cunicu4j.stun.MessageType.BINDING_INDICATION, TransactionId.random())
                    .fingerprint().build());
            waitFor("forged responses counted", () -> agent.counters().badIntegrity() == bad + 2);
            peer.clock.advance(Duration.ofMillis(10));
            assertThat(agent.state()).isIn(IceState.DISCONNECTED, IceState.FAILED);
        }
    }

    @Test
    void useCandidateBeforeTheControlledSidesOwnCheckSelectsWhenThatCheckSucceeds() throws Exception {
        IceAgent agent = peer(IceRole.CONTROLLED).start().agent;
        byte[] nomination = peer.request(b -> b.iceControlling(-1L).useCandidate(), null);
        peer.send(nomination);
        waitFor("the nomination is answered", () -> responded(nomination));
        assertThat(agent.state()).isEqualTo(IceState.CHECKING);
        peer.answer(peer.nextRequest(Duration.ofSeconds(1)));
        waitFor("connected", () -> agent.state().isConnected());
        assertThat(agent.selectedPair().orElseThrow().remote().address()).isEqualTo(peer.peerAddress());
    }

    @Test
    void theControllingAgentWaitsForABetterPendingPairUpToNominationWait() throws Exception {
        peer = new ScriptedPeer(IceRole.CONTROLLING, b -> b.nominationWait(Duration.ofSeconds(1)));
        IceAgent agent = peer.agent;
        agent.gather();
        agent.setRemoteCredentials(ScriptedPeer.PEER);
        // a higher-priority remote candidate nobody answers for, and the peer's
        agent.addRemoteCandidate(new Candidate("dead", 1, Candidate.priorityOf(CandidateType.HOST, 65535, 1),
                CandidateTest.addr("10.0.0.3", 5000), CandidateType.HOST, null, null));
        agent.addRemoteCandidate(Harness.host(peer.peerAddress(), 1000));
        agent.start();
        peer.nextRequest(Duration.ofSeconds(1)); // the dead pair's check comes first
        StunMessage check = peer.nextRequest(Duration.ofSeconds(1));
        peer.answer(check);
        waitFor("the peer's pair is valid", this::hasValidPair);
        long validAt = peer.clock.nanoTime();
        // the better pair is still in progress: no nomination before nominationWait
        while (peer.clock.nanoTime() - validAt < Duration.ofMillis(800).toNanos()) {
            peer.clock.advance(Duration.ofMillis(10));
            assertThat(sentUseCandidate()).as("nominated while a better pair was pending").isFalse();
        }
        stepUntil("nominated after nominationWait", Duration.ofMillis(700), this::sentUseCandidate);
        assertThat(peer.clock.nanoTime() - validAt).isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
    }

    private boolean sentUseCandidate() {
        for (byte[] b : peer.received) {
            StunMessage m = parse(b);
            if (m.messageClass() == StunClass.REQUEST && m.useCandidate()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aCheckWithoutFingerprintIsDropped() throws Exception {
        IceAgent agent = peer(IceRole.CONTROLLED).start().agent;
        long bad = agent.counters().badIntegrity();
        byte[] noFingerprint = StunMessage.builder(org.cunicu4j.stun.MessageType.BINDING_REQUEST, TransactionId.random())
                .username(agent.localCredentials().ufrag() + ":" + ScriptedPeer.PEER.ufrag())
                .priority(Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, 65535, 1)).iceControlling(1)
                .messageIntegrity(org.cunicu4j.stun.StunCredentials.shortTermKey(agent.localCredentials().password()))
                .build();
        peer.send(noFingerprint);
        waitFor("counted", () -> agent.counters().badIntegrity() == bad + 1);
        assertThat(responded(noFingerprint)).isFalse();
    }

    static StunMessage parse(byte[] b) {
        try {
            return StunMessage.parse(b);
        } catch (org.cunicu4j.stun.StunParseException e) {
            throw new AssertionError("the agent sent malformed STUN", e);
        }
    }
}
