package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceCredentials;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/**
 * Our agent (alice) against ice4j (bob), an implementation no one here wrote, on one LAN:
 * candidates handed over in-process as SDP lines, both sides connected, data both ways
 * between our {@code IceConnection} and ice4j's component socket; once with us
 * controlling, once controlled.
 */
@RequiresRoot
@RequiresTools({"ip", "ping"})
class IceInteropLabTest {

    @Test
    void weControlIce4j() throws Exception {
        interop(IceRole.CONTROLLING);
    }

    @Test
    void ice4jControlsUs() throws Exception {
        interop(IceRole.CONTROLLED);
    }

    private static void interop(IceRole ourRole) throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            try (LabAgent ours = LabAgent.create("ours", lan.alice(), LabAgent.fastConfig().build(), ourRole,
                            LabGatherers.host());
                    Ice4jPeer theirs = Ice4jPeer.create(lan.bob().netns(), ourRole == IceRole.CONTROLLED)) {
                // theirs → ours, before we start
                ours.agent.setRemoteCredentials(new IceCredentials(theirs.ufrag(), theirs.password()));
                List<String> theirLines = theirs.candidateLines();
                assertThat(theirLines).as("ice4j's host candidates").isNotEmpty();
                for (String line : theirLines) {
                    ours.agent.addRemoteCandidate(Candidate.parse(line));
                }
                ours.agent.endOfRemoteCandidates();
                // ours → theirs, once we have gathered (trickle towards ice4j would work too)
                ours.gatherAndStart();
                Waiter.until("our agent gathered", Duration.ofSeconds(3), ours::gatheringDone);
                theirs.setRemote(ours.agent.localCredentials().ufrag(), ours.agent.localCredentials().password(),
                        ours.gathered.stream().map(Candidate::toSdp).toList());
                theirs.start();

                Waiter.until("both connected: " + ours + "; " + theirs, IcePairs.CONNECT,
                        () -> ours.connected() && theirs.connected());
                IcePairs.assertSelected(ours, CandidateType.HOST, CandidateType.HOST);
                assertThat(ours.selected().remote().address()).as("our remote is ice4j's selected local")
                        .isEqualTo(new java.net.InetSocketAddress(
                                theirs.selectedPair().getLocalCandidate().getTransportAddress().getAddress(),
                                theirs.selectedPair().getLocalCandidate().getTransportAddress().getPort()));
                assertThat(theirs.selectedRemote()).as("ice4j's remote is our selected local")
                        .isEqualTo(ours.selected().local().address());

                ours.send("from us");
                DatagramPacket p = theirs.receive(IcePairs.DATA);
                assertThat(p).as("ice4j receives our datagram").isNotNull();
                assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)).isEqualTo("from us");
                theirs.send("from ice4j".getBytes(StandardCharsets.UTF_8));
                assertThat(ours.receive(IcePairs.DATA)).as("we receive ice4j's datagram").isEqualTo("from ice4j");
                assertThat(ours.agent.role()).as("no role conflict moved us").isEqualTo(ourRole);
            }
        }
    }
}
