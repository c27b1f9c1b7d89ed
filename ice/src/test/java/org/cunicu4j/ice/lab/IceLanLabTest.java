package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.Test;

/** Two of our agents on one LAN, IPv4 and IPv6-only: a host–host pair, data both ways. */
@RequiresRoot
@RequiresTools({"ip", "ping"})
class IceLanLabTest {

    @Test
    void twoAgentsOnOneLanConnectHostToHost() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            try (LabAgent a = LabAgent.create("a", lan.alice(), LabAgent.fastConfig().build(), IceRole.CONTROLLING,
                            LabGatherers.host());
                    LabAgent b = LabAgent.create("b", lan.bob(), LabAgent.fastConfig().build(), IceRole.CONTROLLED,
                            LabGatherers.host())) {
                IcePairs.connect(a, b);
                IcePairs.assertSelected(a, CandidateType.HOST, CandidateType.HOST);
                IcePairs.assertSelected(b, CandidateType.HOST, CandidateType.HOST);
                IcePairs.assertMirrored(a, b);
                assertThat(a.selected().remote().address().getAddress().getHostAddress())
                        .isEqualTo(PeerTopologies.LAN_BOB_IP);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }

    @Test
    void twoAgentsOnAnIpv6OnlyLanConnectHostToHostOverIpv6() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLanIpv6(lab);
            try (LabAgent a = LabAgent.create("a", lan.alice(), LabAgent.fastConfig().build(), IceRole.CONTROLLED,
                            LabGatherers.host());
                    LabAgent b = LabAgent.create("b", lan.bob(), LabAgent.fastConfig().build(), IceRole.CONTROLLING,
                            LabGatherers.host())) {
                IcePairs.connect(a, b);
                IcePairs.assertSelected(a, CandidateType.HOST, CandidateType.HOST);
                IcePairs.assertSelected(b, CandidateType.HOST, CandidateType.HOST);
                IcePairs.assertMirrored(a, b);
                assertThat(a.selected().local().address().getAddress()).isInstanceOf(Inet6Address.class);
                assertThat(a.selected().remote().address().getAddress()).isInstanceOf(Inet6Address.class);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }
}
