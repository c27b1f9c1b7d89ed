package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/** {@link IceAgent#resetRemote}: the peer restarted, we keep our credentials and candidates. */
class IceAgentResetRemoteTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void connectedAgentTakesThePeersNewCredentialsAndConnectsAgainWithItsOwn() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 31)) {
            h.connectAll();
            h.until("connected", Duration.ofSeconds(30), () -> h.a.state().isConnected() && h.b.state().isConnected());
            IceCredentials ours = h.a.localCredentials();
            List<Candidate> ourCandidates = h.a.localCandidates();
            IceCandidatePair before = h.a.selectedPair().orElseThrow();

            h.b.restart(); // the peer restarted: new credentials, new candidates
            h.a.resetRemote(h.b.localCredentials());
            assertThat(h.a.localCredentials()).isEqualTo(ours);
            assertThat(h.a.localCandidates()).isEqualTo(ourCandidates);
            assertThat(h.a.pairStats()).isEmpty();
            assertThat(h.a.candidateStats()).allMatch(CandidateStats::local);
            assertThat(h.a.state()).isEqualTo(IceState.CHECKING);
            assertThat(h.a.selectedPair()).contains(before); // RFC 8445 §9: the old route carries data meanwhile

            h.b.setRemoteCredentials(ours);
            h.a.localCandidates().forEach(h.b::addRemoteCandidate);
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.endOfRemoteCandidates();
            h.b.endOfRemoteCandidates();
            h.until("connected again", Duration.ofSeconds(10),
                    () -> h.a.state().isConnected() && h.b.state().isConnected());
            assertThat(h.a.localCredentials()).isEqualTo(ours);
            assertThat(h.a.pairStats()).anyMatch(p -> p.selected() && p.traffic().responsesReceived() > 0);
            Waiter.until("a's events", WAIT, () -> h.aEvents.states.size() >= 4);
            assertThat(h.aEvents.states).containsSubsequence(IceState.CONNECTED, IceState.CHECKING, IceState.CONNECTED);
            assertThat(h.aEvents.done).as("gathered once: no regathering").isEqualTo(1);
        }
    }

    @Test
    void failedPairsAreDroppedAndTheSameCandidateIsCheckedAgainWithTheNewCredentials() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 32)) {
            h.a.gather();
            h.b.gather();
            h.a.setRemoteCredentials(new IceCredentials("staleStaleStaleS", "s".repeat(32))); // not b's
            h.b.setRemoteCredentials(h.a.localCredentials());
            h.b.localCandidates().forEach(h.a::addRemoteCandidate);
            h.a.endOfRemoteCandidates();
            h.a.start();
            h.until("a failed with the wrong credentials", Duration.ofSeconds(20), () -> h.a.state() == IceState.FAILED);
            assertThat(h.a.pairStats()).isNotEmpty().allMatch(p -> p.state() == CandidatePairState.FAILED);

            h.a.resetRemote(h.b.localCredentials());
            assertThat(h.a.state()).as("alive again").isEqualTo(IceState.CHECKING);
            assertThat(h.a.pairStats()).isEmpty();
            h.b.localCandidates().forEach(h.a::addRemoteCandidate); // no longer a duplicate: checked again
            assertThat(h.a.pairStats()).isNotEmpty().noneMatch(p -> p.state() == CandidatePairState.FAILED);
            sendCandidatesOfAToB(h);
            h.b.start();
            h.until("connected with the new credentials", Duration.ofSeconds(10),
                    () -> h.a.state().isConnected() && h.b.state().isConnected());
        }
    }

    @Test
    void beforeStartItStaysNew() {
        try (Harness h = new Harness(IceRole.CONTROLLING, IceRole.CONTROLLED, 1, 33)) {
            h.a.gather();
            h.a.addRemoteCandidate(Harness.host(new InetSocketAddress(Harness.ip("10.0.0.77"), 5000), 65535));
            h.a.resetRemote(h.b.localCredentials());
            assertThat(h.a.state()).isEqualTo(IceState.NEW);
            assertThat(h.a.candidateStats()).allMatch(CandidateStats::local).hasSize(1);
        }
    }

    private static void sendCandidatesOfAToB(Harness h) {
        h.a.localCandidates().forEach(h.b::addRemoteCandidate);
        h.b.endOfRemoteCandidates();
    }
}
