package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.IceState;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PathBlock;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/**
 * Consent freshness (RFC 7675) in the lab: once connected, an nft rule cuts the path; the
 * agent goes DISCONNECTED, then FAILED, within its configured timeouts (1 s, 3 s: asserted
 * as an order and a deadline, not as timings); the path restored and both agents restarted
 * with new credentials, they connect again.
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "ping"})
class IceConsentLabTest {

    /** With the real {@link org.cunicu4j.ice.gather.HostGatherer}, which re-registers its conns under the new ufrag. */
    @Test
    void cutPathDisconnectsThenFailsAndARestartReconnects() throws Exception {
        cutAndRestart(LabGatherers.host(), LabGatherers.host());
    }

    private static void cutAndRestart(LabAgent.GathererFactory ga, LabAgent.GathererFactory gb) throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            try (LabAgent a = LabAgent.create("a", lan.alice(), LabAgent.fastConfig().build(), IceRole.CONTROLLING, ga);
                    LabAgent b = LabAgent.create("b", lan.bob(), LabAgent.fastConfig().build(), IceRole.CONTROLLED, gb)) {
                IcePairs.connect(a, b);
                IcePairs.assertDataBothWays(a, b);
                String oldUfrag = a.agent.localCredentials().ufrag();
                int mark = a.states.size();

                PathBlock block = PathBlock.all(lan.alice(), PeerTopologies.LAN_BOB_IP);
                long cut = System.nanoTime();
                // failed 3 s after the last consent; the deadline leaves room for a loaded machine
                Waiter.until("a failed after the cut: " + a, Duration.ofSeconds(8),
                        () -> a.agent.state() == IceState.FAILED);
                Duration took = Duration.ofNanos(System.nanoTime() - cut);
                List<IceState> after = a.states.subList(mark, a.states.size());
                assertThat(after).as("a's states after the cut (took %s)", took)
                        .containsSubsequence(IceState.DISCONNECTED, IceState.FAILED)
                        .doesNotContain(IceState.CONNECTED, IceState.COMPLETED);
                assertThat(took).as("failed not before the disconnected timeout").isGreaterThan(Duration.ofSeconds(1));
                Waiter.until("b failed too: " + b, Duration.ofSeconds(8), () -> b.agent.state() == IceState.FAILED);

                block.restore();
                int beforeRestart = a.states.size();
                LabAgent.restartPair(a, b, Duration.ofSeconds(5));
                assertThat(a.agent.localCredentials().ufrag()).as("a restart brings new credentials")
                        .isNotEqualTo(oldUfrag);
                IcePairs.awaitConnected(a, b);
                assertThat(a.states.subList(beforeRestart, a.states.size())).contains(IceState.CONNECTED);
                IcePairs.assertSelected(a, CandidateType.HOST, CandidateType.HOST);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }
}
