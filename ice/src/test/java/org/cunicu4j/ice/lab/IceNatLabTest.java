package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.stun.client.TlsTrust;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.PathBlock;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.TwoNats;
import org.junit.jupiter.api.Test;

/**
 * Our two agents behind NATs (testlab's two-NAT topology, coturn on the public segment as
 * STUN and TURN server): endpoint-independent NATs give a server-reflexive path; symmetric
 * NATs on both sides need a relay; with UDP between the peers blocked (and no UDP at all
 * out of alice's LAN) the path is a relay over TURN-TLS. Each asserts the selected pair's
 * types and data both ways.
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "ss", "turnserver", "openssl"})
class IceNatLabTest {
    private static final String USER = "ice";
    private static final String PASSWORD = "lab-password";
    private static final String STUN = "stun:" + Topology.SERVER_IP + ":" + Coturn.DEFAULT_PORT;

    @Test
    void endpointIndependentNatsConnectServerReflexive() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn.builder(t.server()).listen(Topology.SERVER_IP).user(USER, PASSWORD).start();
            try (LabAgent a = LabAgent.create("a", t.alice(), natConfig(), IceRole.CONTROLLING,
                            LabGatherers.hostAndSrflx(STUN));
                    LabAgent b = LabAgent.create("b", t.bob(), natConfig(), IceRole.CONTROLLED,
                            LabGatherers.hostAndSrflx(STUN))) {
                IcePairs.connect(a, b);
                IceCandidatePair pa = IcePairs.assertSelected(a, CandidateType.SERVER_REFLEXIVE,
                        CandidateType.SERVER_REFLEXIVE);
                IceCandidatePair pb = IcePairs.assertSelected(b, CandidateType.SERVER_REFLEXIVE,
                        CandidateType.SERVER_REFLEXIVE);
                IcePairs.assertMirrored(a, b);
                assertThat(pa.remote().address().getAddress().getHostAddress()).isEqualTo(Topology.NAT_B_OUTSIDE_IP);
                assertThat(pb.remote().address().getAddress().getHostAddress()).isEqualTo(Topology.NAT_A_OUTSIDE_IP);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }

    @Test
    void symmetricNatsOnBothSidesConnectThroughTheRelay() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.SYMMETRIC, NatType.SYMMETRIC);
            routeLikeTheInternet(t);
            Coturn.builder(t.server()).listen(Topology.SERVER_IP).user(USER, PASSWORD).start();
            String turn = "turn:" + Topology.SERVER_IP + ":" + Coturn.DEFAULT_PORT + "?transport=udp";
            try (LabAgent a = LabAgent.create("a", t.alice(), natConfig(), IceRole.CONTROLLING,
                            LabGatherers.all(LabGatherers.hostAndSrflx(STUN), LabGatherers.relay(turn, USER, PASSWORD, null)));
                    LabAgent b = LabAgent.create("b", t.bob(), natConfig(), IceRole.CONTROLLED,
                            LabGatherers.all(LabGatherers.hostAndSrflx(STUN), LabGatherers.relay(turn, USER, PASSWORD, null)))) {
                IcePairs.connect(a, b);
                assertRelayed(a);
                assertRelayed(b);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }

    @Test
    void udpBlockedBetweenThePeersConnectsThroughARelayOverTls() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            routeLikeTheInternet(t);
            Coturn coturn = Coturn.builder(t.server()).listen(Topology.SERVER_IP).user(USER, PASSWORD).tls().start();
            PathBlock.udp(t.natA().host(), Topology.NAT_B_OUTSIDE_IP);
            PathBlock.udp(t.natB().host(), Topology.NAT_A_OUTSIDE_IP);
            PathBlock.forwardedUdp(t.natA().host()); // alice: nothing but TCP leaves her LAN
            String tls = "turns:" + Topology.SERVER_IP + ":" + coturn.tlsPort() + "?transport=tcp";
            String tcp = "turn:" + Topology.SERVER_IP + ":" + coturn.port() + "?transport=tcp";
            try (LabAgent a = LabAgent.create("a", t.alice(), natConfig(), IceRole.CONTROLLED,
                            LabGatherers.all(LabGatherers.host(),
                                    LabGatherers.relay(tls, USER, PASSWORD, TlsTrust.trusting(coturn.certFile()))));
                    LabAgent b = LabAgent.create("b", t.bob(), natConfig(), IceRole.CONTROLLING,
                            LabGatherers.all(LabGatherers.hostAndSrflx(STUN), LabGatherers.relay(tcp, USER, PASSWORD, null)))) {
                IcePairs.connect(a, b);
                IceCandidatePair pa = a.selected();
                assertThat(pa.local().type()).as("a's local in %s", pa).isEqualTo(CandidateType.RELAY);
                assertThat(pa.local().relayProtocol()).isEqualTo(Candidate.RelayProtocol.TLS);
                assertRelayed(b);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }

    /**
     * Short timers, but a failed timeout that leaves room for a TURN allocation (a TLS
     * handshake on a loaded machine) before the relay pairs are checked.
     */
    private static IceConfig natConfig() {
        return LabAgent.fastConfig().disconnectedTimeout(Duration.ofSeconds(3)).failedTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * Gives the TURN server a default route (to a neighbour that never answers), as a server
     * on the internet has: a relay check towards a peer's private host candidate is then
     * lost on the way, as it would be out there. Without it the send fails at once with
     * ENETUNREACH, and coturn 4.6 stops relaying for that allocation altogether.
     */
    private static void routeLikeTheInternet(TwoNats t) {
        t.server().run("ip", "route", "add", "default", "via", "198.18.0.254");
    }

    /** One end of the pair is a relay candidate on coturn. */
    private static void assertRelayed(LabAgent x) {
        IceCandidatePair p = x.selected();
        boolean localRelay = p.local().type() == CandidateType.RELAY;
        boolean remoteRelay = p.remote().type() == CandidateType.RELAY;
        assertThat(localRelay || remoteRelay).as("%s's pair %s has a relay end", x.name, p).isTrue();
        InetSocketAddress relayEnd = localRelay ? p.local().address() : p.remote().address();
        assertThat(relayEnd.getAddress().getHostAddress()).as("relay address of %s", p).isEqualTo(Topology.SERVER_IP);
    }
}
