package org.cunicu4j.ice.lab;

import java.util.EnumSet;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.Test;

/**
 * Relay without NATs: both agents on one LAN with coturn beside them, and only relay
 * candidates allowed ({@link IceConfig#candidateTypes}), so the one pair is relay–relay
 * through coturn. Separates the agent-over-TURN path from the NATs' behaviour.
 */
@RequiresRoot
@RequiresTools({"ip", "ping", "ss", "turnserver"})
class IceRelayLabTest {
    private static final String TURN_IP = "10.0.0.10";

    @Test
    void relayOnlyAgentsConnectRelayToRelay() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host turn = lab.host("turn");
            lab.attach(turn, lan.lan(), TURN_IP + "/24");
            Coturn.builder(turn).listen(TURN_IP).user("ice", "pw").start();
            String url = "turn:" + TURN_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp";
            IceConfig config = LabAgent.fastConfig().candidateTypes(EnumSet.of(CandidateType.RELAY)).build();
            try (LabAgent a = LabAgent.create("a", lan.alice(), config, IceRole.CONTROLLING,
                            LabGatherers.relay(url, "ice", "pw", null));
                    LabAgent b = LabAgent.create("b", lan.bob(), config, IceRole.CONTROLLED,
                            LabGatherers.relay(url, "ice", "pw", null))) {
                IcePairs.connect(a, b);
                IcePairs.assertSelected(a, CandidateType.RELAY, CandidateType.RELAY);
                IcePairs.assertSelected(b, CandidateType.RELAY, CandidateType.RELAY);
                IcePairs.assertMirrored(a, b);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }
}
