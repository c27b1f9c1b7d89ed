package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.ice4j.ice.CandidateType;
import org.junit.jupiter.api.Test;

/**
 * The interop harness proven on its own: ice4j against ice4j across a lab LAN, candidates
 * handed over as SDP lines, so that a failure of the interop tests is ours, not the harness's.
 */
@RequiresRoot
@RequiresTools({"ip", "ping"})
class Ice4jSelfTest {
    private static final Duration CONNECT = Duration.ofSeconds(10);

    @Test
    void ice4jConnectsToIce4jAndCarriesDataBothWays() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            try (Ice4jPeer a = Ice4jPeer.create(lan.alice().netns(), true);
                    Ice4jPeer b = Ice4jPeer.create(lan.bob().netns(), false)) {
                assertThat(a.candidateLines()).anyMatch(l -> l.contains(PeerTopologies.LAN_ALICE_IP));
                a.setRemote(b.ufrag(), b.password(), b.candidateLines());
                b.setRemote(a.ufrag(), a.password(), a.candidateLines());
                a.start();
                b.start();
                Waiter.until("both ice4j agents connected (" + a + ", " + b + ")", CONNECT,
                        () -> a.connected() && b.connected());

                assertThat(a.selectedPair().getLocalCandidate().getType()).isEqualTo(CandidateType.HOST_CANDIDATE);
                assertThat(a.selectedRemote().getAddress().getHostAddress()).isEqualTo(PeerTopologies.LAN_BOB_IP);
                assertThat(b.selectedRemote().getAddress().getHostAddress()).isEqualTo(PeerTopologies.LAN_ALICE_IP);

                a.send("ping".getBytes(StandardCharsets.UTF_8));
                DatagramPacket atB = b.receive(Duration.ofSeconds(3));
                assertThat(atB).as("datagram from a at b").isNotNull();
                assertThat(new String(atB.getData(), 0, atB.getLength(), StandardCharsets.UTF_8)).isEqualTo("ping");
                b.send("pong".getBytes(StandardCharsets.UTF_8));
                DatagramPacket atA = a.receive(Duration.ofSeconds(3));
                assertThat(atA).as("datagram from b at a").isNotNull();
                assertThat(new String(atA.getData(), 0, atA.getLength(), StandardCharsets.UTF_8)).isEqualTo("pong");
            }
        }
    }
}
