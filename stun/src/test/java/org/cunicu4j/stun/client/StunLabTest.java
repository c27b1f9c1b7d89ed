package org.cunicu4j.stun.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.client.NatBehavior.Type;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.TwoNats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binding client and NAT behaviour discovery against coturn in the lab: alice behind
 * an endpoint-independent NAT, bob behind a symmetric one, pub on the public internet with
 * no NAT; coturn on the server's two addresses (so it does RFC 5780), and a second coturn
 * on one address (so it does not).
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "turnserver"})
class StunLabTest {
    static final String SECOND_SERVER_IP = "198.18.0.11";
    static final String PUB_IP = "198.18.0.20";
    static final int PLAIN_PORT = 3490;
    static Lab lab;
    static TwoNats t;
    static Host pub;
    static InetSocketAddress server;
    static InetSocketAddress plainServer;
    /** The lab loses nothing: 0.6 s of silence is silence. */
    static final RetransmissionPolicy SILENCE = new RetransmissionPolicy(Duration.ofMillis(100), 3, 3);

    @BeforeAll
    static void lab() {
        lab = Lab.open();
        t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.SYMMETRIC);
        pub = lab.publicHost("pub", PUB_IP + "/15");
        t.server().addAddress("eth0", SECOND_SERVER_IP + "/15");
        Coturn rfc5780 = Coturn.builder(t.server()).listen(Topology.SERVER_IP).listen(SECOND_SERVER_IP).start();
        Coturn plain = Coturn.builder(t.server()).listen(Topology.SERVER_IP).port(PLAIN_PORT).start();
        server = new InetSocketAddress(rfc5780.ip(), rfc5780.port());
        plainServer = new InetSocketAddress(plain.ip(), plain.port());
    }

    @AfterAll
    static void close() {
        lab.close();
    }

    static StunClient client(Host host, String ip) throws Exception {
        UdpPacketConn conn = NetNs.call(host.netns(), () -> UdpPacketConn.open(new InetSocketAddress(ip, 0)));
        return StunClient.owning(conn, null);
    }

    @Test
    void theServerReflexiveAddressBehindEachNatIsTheRoutersPublicAddress() throws Exception {
        try (StunClient alice = client(t.alice(), Topology.ALICE_IP); StunClient bob = client(t.bob(), Topology.BOB_IP)) {
            BindingResult a = new BindingClient(alice.transportTo(server)).discover();
            assertThat(a.mappedAddress().getHostString()).isEqualTo(t.natA().outsideIp());
            assertThat(a.mappedAddress().getPort()).as("persistent masquerade keeps a free port")
                    .isEqualTo(alice.localAddress().getPort());
            assertThat(a.otherAddress()).contains(new InetSocketAddress(SECOND_SERVER_IP, server.getPort() + 1));
            assertThat(a.rtt()).isPositive().isLessThan(Duration.ofSeconds(2));

            BindingResult b = new BindingClient(bob.transportTo(server)).discover();
            assertThat(b.mappedAddress().getHostString()).isEqualTo(t.natB().outsideIp());
        }
    }

    @Test
    void theEndpointIndependentNatAndTheSymmetricNatAreTold() throws Exception {
        try (StunClient alice = client(t.alice(), Topology.ALICE_IP); StunClient bob = client(t.bob(), Topology.BOB_IP)) {
            NatBehavior a = new NatBehaviorDiscovery(alice, server, SILENCE).discover();
            assertThat(a.behindNat()).isTrue();
            assertThat(a.mapping()).as(a.toString()).isEqualTo(Type.ENDPOINT_INDEPENDENT);
            assertThat(a.mappingReason()).contains(Topology.NAT_A_OUTSIDE_IP);
            assertThat(a.filtering()).as(a.toString()).isEqualTo(Type.ADDRESS_AND_PORT_DEPENDENT);

            NatBehavior b = new NatBehaviorDiscovery(bob, server, SILENCE).discover();
            assertThat(b.mapping()).as(b.toString()).isEqualTo(Type.ADDRESS_AND_PORT_DEPENDENT);
            assertThat(b.filtering()).as(b.toString()).isEqualTo(Type.ADDRESS_AND_PORT_DEPENDENT);
        }
    }

    @Test
    void withoutNatEverythingIsEndpointIndependent() throws Exception {
        try (StunClient c = client(pub, PUB_IP)) {
            NatBehavior n = new NatBehaviorDiscovery(c, server, SILENCE).discover();
            assertThat(n.behindNat()).isFalse();
            assertThat(n.mapping()).as(n.toString()).isEqualTo(Type.ENDPOINT_INDEPENDENT);
            assertThat(n.filtering()).as(n.toString()).isEqualTo(Type.ENDPOINT_INDEPENDENT);
            assertThat(n.filteringReason()).contains(SECOND_SERVER_IP + ":" + (server.getPort() + 1));
        }
    }

    @Test
    void aServerWithoutOtherAddressGivesUnknownWithTheReason() throws Exception {
        try (StunClient alice = client(t.alice(), Topology.ALICE_IP)) {
            NatBehavior n = new NatBehaviorDiscovery(alice, plainServer).discover();
            assertThat(n.mapping()).isEqualTo(Type.UNKNOWN);
            assertThat(n.filtering()).isEqualTo(Type.UNKNOWN);
            assertThat(n.mappingReason()).isEqualTo("server 198.18.0.10:" + PLAIN_PORT
                    + " does not do RFC 5780: its Binding response has no OTHER-ADDRESS");
            assertThat(n.mappedAddress().getHostString()).isEqualTo(Topology.NAT_A_OUTSIDE_IP);
        }
    }

    @Test
    void anUnreachableServerTimesOutWithAClearMessageInTheConfiguredTime() throws Exception {
        UdpPacketConn conn = NetNs.call(t.alice().netns(),
                () -> UdpPacketConn.open(new InetSocketAddress(Topology.ALICE_IP, 0)));
        RetransmissionPolicy fast = new RetransmissionPolicy(Duration.ofMillis(100), 3, 4); // 0.7 s
        try (StunClient c = StunClient.owning(conn, null, fast, null)) {
            InetSocketAddress nowhere = new InetSocketAddress("198.18.0.99", 3478);
            long start = System.nanoTime();
            assertThatThrownBy(() -> new BindingClient(c.transportTo(nowhere)).discover())
                    .isInstanceOf(StunTimeoutException.class)
                    .hasMessage("no response from 198.18.0.99:3478 after 3 requests in 0.7 s");
            assertThat(System.nanoTime() - start).isBetween(TimeUnit.MILLISECONDS.toNanos(690),
                    TimeUnit.MILLISECONDS.toNanos(2000));
            assertThat(c.transmissions()).isEqualTo(3);
        }
    }

    @Test
    void stunOverTcpToCoturn() throws Exception {
        try (StreamStunTransport tcp = NetNs.call(t.alice().netns(),
                () -> StreamStunTransport.connectTcp(server, Duration.ofSeconds(5), null))) {
            BindingResult r = new BindingClient(tcp).discover();
            assertThat(r.mappedAddress().getHostString()).isEqualTo(Topology.NAT_A_OUTSIDE_IP);
            assertThat(r.mappedAddress().getPort()).isEqualTo(tcp.localAddress().getPort());
            assertThat(r.respondedFrom()).isEqualTo(server);
        }
    }
}
