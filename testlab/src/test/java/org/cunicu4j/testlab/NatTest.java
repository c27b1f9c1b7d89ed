package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "ss", "nft", "ping", "turnserver", "turnutils_stunclient", "turnutils_natdiscovery"})
class NatTest {

    @Test
    void hostsBehindTwoNatsReachThePublicServerWhichSeesTheRoutersAddresses() {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.SYMMETRIC);
            Coturn stun = Coturn.start(t.server(), Topology.SERVER_IP, 3478, "lab", "u", "p");

            assertThat(ping(t.alice(), Topology.SERVER_IP)).as("alice pings the server").isTrue();
            assertThat(ping(t.bob(), Topology.SERVER_IP)).as("bob pings the server").isTrue();

            InetSocketAddress seenA = StunProbe.mappedAddress(t.alice(), stun.ip(), stun.port());
            InetSocketAddress seenB = StunProbe.mappedAddress(t.bob(), stun.ip(), stun.port());
            assertThat(seenA.getHostString()).isEqualTo(t.natA().outsideIp()).isEqualTo(Topology.NAT_A_OUTSIDE_IP);
            assertThat(seenB.getHostString()).isEqualTo(t.natB().outsideIp()).isEqualTo(Topology.NAT_B_OUTSIDE_IP);

            assertThat(ping(t.server(), Topology.ALICE_IP)).as("the private LAN is not routed from outside").isFalse();
        }
    }

    @Test
    void endpointIndependentNatKeepsOnePortTowardsEveryDestinationSymmetricDoesNot() {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.SYMMETRIC);
            String second = "198.18.0.11";
            t.server().addAddress("eth0", second + "/15");
            Coturn stun = Coturn.builder(t.server()).listen(Topology.SERVER_IP).listen(second).start();

            // from one local socket to two STUN servers (two addresses, coturn's own client)
            InetSocketAddress a1 = StunProbe.mappedAddress(t.alice(), Topology.ALICE_IP, 40000, Topology.SERVER_IP, 3478);
            InetSocketAddress a2 = StunProbe.mappedAddress(t.alice(), Topology.ALICE_IP, 40000, second, 3478);
            assertThat(a1).isEqualTo(a2).isEqualTo(new InetSocketAddress(Topology.NAT_A_OUTSIDE_IP, 40000));

            InetSocketAddress b1 = StunProbe.mappedAddress(t.bob(), Topology.BOB_IP, 40000, Topology.SERVER_IP, 3478);
            InetSocketAddress b2 = StunProbe.mappedAddress(t.bob(), Topology.BOB_IP, 40000, second, 3478);
            assertThat(b1.getHostString()).isEqualTo(b2.getHostString()).isEqualTo(Topology.NAT_B_OUTSIDE_IP);
            assertThat(b1.getPort()).isNotEqualTo(b2.getPort());

            // coturn's RFC 5780 discovery agrees
            assertThat(StunProbe.mappingBehaviour(t.alice(), stun.ip(), stun.port())).isEqualTo("Endpoint Independent");
            assertThat(StunProbe.mappingBehaviour(t.bob(), stun.ip(), stun.port())).isEqualTo("Address and Port Dependent");
        }
    }

    @Test
    void changingTheNatTypeReplacesTheRules() {
        try (Lab lab = Lab.open()) {
            NatRouter nat = lab.natRouter("nat", NatType.ENDPOINT_INDEPENDENT, "10.5.0.1/24", "198.18.5.1/15",
                    lab.internet());
            assertThat(nat.host().run("nft", "list", "table", "ip", NatRouter.TABLE).stdout())
                    .contains("masquerade persistent").doesNotContain("random");
            nat.setType(NatType.SYMMETRIC);
            assertThat(nat.type()).isEqualTo(NatType.SYMMETRIC);
            assertThat(nat.host().run("nft", "list", "table", "ip", NatRouter.TABLE).stdout())
                    .contains("fully-random").doesNotContain("persistent");
        }
    }

    private static boolean ping(Host from, String to) {
        return from.exec("ping", "-c", "1", "-W", "2", to).ok();
    }
}
