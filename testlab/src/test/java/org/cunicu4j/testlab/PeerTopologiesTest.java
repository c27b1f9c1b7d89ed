package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "nft", "ping", "ss", "turnserver", "turnutils_stunclient", "timeout"})
class PeerTopologiesTest {

    @Test
    void oneLanConnectsTheTwoHostsAndABlockCutsThemUntilRestored() {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            assertThat(ping(lan.alice(), PeerTopologies.LAN_BOB_IP)).as("alice pings bob").isTrue();

            PathBlock block = PathBlock.all(lan.alice(), PeerTopologies.LAN_BOB_IP);
            assertThat(block.inForce()).isTrue();
            assertThat(ping(lan.alice(), PeerTopologies.LAN_BOB_IP)).as("alice pings bob, blocked").isFalse();
            assertThat(ping(lan.bob(), PeerTopologies.LAN_ALICE_IP)).as("bob pings alice, blocked").isFalse();

            block.restore();
            block.restore(); // idempotent
            assertThat(block.inForce()).isFalse();
            assertThat(lan.alice().exec("nft", "list", "table", "inet", block.table()).ok()).isFalse();
            assertThat(ping(lan.alice(), PeerTopologies.LAN_BOB_IP)).as("alice pings bob, restored").isTrue();
        }
    }

    @Test
    void ipv6OnlyLanHasUsableUlasAndNoIpv4() {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLanIpv6(lab);
            assertThat(lan.alice().addresses()).containsExactly(PeerTopologies.LAN6_ALICE_IP + "/64");
            assertThat(lan.alice().run("ip", "-4", "addr", "show", "scope", "global").stdout()).isBlank();
            assertThat(lan.bob().exec("ping", "-6", "-c", "1", "-W", "2", PeerTopologies.LAN6_ALICE_IP).ok()).isTrue();

            try (PathBlock block = PathBlock.all(lan.bob(), PeerTopologies.LAN6_ALICE_IP)) {
                assertThat(lan.bob().exec("ping", "-6", "-c", "1", "-W", "1", PeerTopologies.LAN6_ALICE_IP).ok())
                        .as("blocked over IPv6").isFalse();
            }
        }
    }

    @Test
    void udpBlockOnARouterStopsUdpToThePeerButNotToTheServer() {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn.start(t.server(), Topology.SERVER_IP, 3478, "lab", "u", "p");
            // a STUN server on another public host stands for the peer
            String peerIp = "198.18.0.20";
            Host peer = lab.publicHost("peer", peerIp + "/15");
            Coturn.start(peer, peerIp, 3478, "lab", "u", "p");
            assertThat(StunProbe.mappedAddress(t.alice(), peerIp, 3478).getHostString())
                    .isEqualTo(Topology.NAT_A_OUTSIDE_IP);

            try (PathBlock block = PathBlock.udp(t.natA().host(), peerIp)) {
                assertThat(StunProbe.mappedAddress(t.alice(), Topology.SERVER_IP, 3478).getHostString())
                        .as("UDP to the server passes").isEqualTo(Topology.NAT_A_OUTSIDE_IP);
                assertThat(stunAnswers(t.alice(), peerIp)).as("UDP to the peer is dropped").isFalse();
                assertThat(ping(t.alice(), peerIp)).as("ICMP still passes").isTrue();
            }
            try (PathBlock block = PathBlock.forwardedUdp(t.natA().host())) {
                assertThat(stunAnswers(t.alice(), Topology.SERVER_IP)).as("no UDP leaves alice's LAN").isFalse();
                assertThat(stunAnswers(t.bob(), Topology.SERVER_IP)).as("bob's LAN is not blocked").isTrue();
            }
        }
    }

    /** One STUN binding with a 1 s limit (a blocked probe would otherwise retry for seconds). */
    private static boolean stunAnswers(Host from, String server) {
        Exec.Result r = from.exec("timeout", "1", "turnutils_stunclient", "-p", "3478", server);
        return r.ok() && !StunProbe.reflexiveAddresses(r.stdout()).isEmpty();
    }

    private static boolean ping(Host from, String to) {
        return from.exec("ping", "-c", "1", "-W", "1", to).ok();
    }
}
