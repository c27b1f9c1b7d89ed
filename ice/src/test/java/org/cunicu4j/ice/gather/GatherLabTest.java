package org.cunicu4j.ice.gather;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.netlink.LinkAddress;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.linux.socket.SocketConstants;
import org.cunicu4j.linux.socket.UdpSocket;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.cunicu4j.stun.client.RetransmissionPolicy;
import org.cunicu4j.stun.client.TlsTrust;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.Link;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.TwoNats;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/**
 * The gatherers in network namespaces: host candidates of a host with two interfaces
 * (IPv4 and IPv6, filters, link-local skipped, own and shared ports), and
 * server-reflexive and relay candidates from behind a NAT against coturn.
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "ss", "turnserver", "openssl"})
class GatherLabTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static RecordingSink gatherIn(Host host, Gatherer g, String ufrag) throws Exception {
        RecordingSink sink = new RecordingSink();
        NetNs.call(host.netns(), () -> {
            g.gather(ufrag, 1, sink);
            return null;
        });
        return sink.await(WAIT);
    }

    private static List<String> ips(RecordingSink sink) {
        return sink.candidates.stream().map(c -> c.candidate().address().getAddress().getHostAddress()).toList();
    }

    @Test
    void hostCandidatesOfTwoInterfacesWithFilters() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            Host p1 = lab.host("p1");
            Host p2 = lab.host("p2");
            Link l1 = lab.link(h, "10.7.1.1/24", p1, "10.7.1.2/24");
            Link l2 = lab.link(h, "10.7.2.1/24", p2, "10.7.2.2/24");
            h.addAddress(l1.ifA(), "fd07:1::1/64");
            h.addAddress(l2.ifA(), "fd07:2::1/64");
            List<LinkAddress> present = NetNs.call(h.netns(), () -> {
                try (RtNetlink nl = RtNetlink.open()) {
                    return nl.addresses(nl.link(l1.ifA()).index());
                }
            });
            assertThat(present).as("the kernel gave %s a link-local address", l1.ifA())
                    .anyMatch(a -> a.address().isLinkLocalAddress());

            try (HostGatherer all = HostGatherer.builder().build()) {
                RecordingSink sink = gatherIn(h, all, "ufragAll");
                assertThat(sink.failures).isEmpty();
                assertThat(ips(sink)).containsExactly("fd07:1:0:0:0:0:0:1", "fd07:2:0:0:0:0:0:1", "10.7.1.1", "10.7.2.1");
                assertThat(sink.candidates).extracting(c -> c.candidate().address().getPort()).doesNotHaveDuplicates();
                assertThat(sink.candidates).extracting(c -> c.candidate().priority()).isSortedAccordingTo((a, b) -> Long.compare(b, a));
                assertThat(sink.candidates).extracting(c -> c.candidate().foundation()).doesNotHaveDuplicates();
            }
            try (HostGatherer only1 = HostGatherer.builder().interfaces(List.of(l1.ifA()), List.of()).build();
                    HostGatherer not1 = HostGatherer.builder().interfaces(List.of(), List.of(l1.ifA())).build();
                    HostGatherer v4 = HostGatherer.builder().families(true, false).interfaces(List.of("*"), List.of()).build()) {
                assertThat(ips(gatherIn(h, only1, "ufrag1"))).containsExactly("fd07:1:0:0:0:0:0:1", "10.7.1.1");
                assertThat(ips(gatherIn(h, not1, "ufrag2"))).containsExactly("fd07:2:0:0:0:0:0:1", "10.7.2.1");
                assertThat(ips(gatherIn(h, v4, "ufrag3"))).containsExactly("10.7.1.1", "10.7.2.1");
            }

            // shared port: one mux per family on the same port, and a check reaches the agent through it
            UdpMux[] muxes = NetNs.call(h.netns(), () -> {
                UdpSocket s6 = UdpSocket.open(SocketConstants.AF_INET6);
                s6.setDualStack(false);
                s6.bind(new InetSocketAddress(InetAddress.ofLiteral("::"), 0));
                int port = s6.localAddress().getPort();
                UdpMux m6 = UdpMux.builder(UdpPacketConn.of(s6)).start();
                UdpMux m4 = UdpMux.builder(new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), port)).start();
                return new UdpMux[] {m4, m6};
            });
            try (UdpMux m4 = muxes[0]; UdpMux m6 = muxes[1];
                    HostGatherer shared = HostGatherer.builder().shared(m4, m6).build()) {
                int port = m4.localAddress().getPort();
                RecordingSink sink = gatherIn(h, shared, "ufragShared");
                assertThat(sink.candidates).extracting(c -> c.candidate().address().getPort()).containsOnly(port);
                assertThat(ips(sink)).hasSize(4);
                MuxedConn conn4 = m4.connFor("ufragShared");
                assertThat(sink.candidates).extracting(LocalCandidate::base).containsOnly(conn4, m6.connFor("ufragShared"));
                byte[] check = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                        .username("ufragShared:peer").fingerprint().build();
                try (PacketConn peer = NetNs.call(p2.netns(), () -> UdpPacketConn.open(new InetSocketAddress("10.7.2.2", 0)))) {
                    PacketBatch out = new PacketBatch(1, 512);
                    out.buffer(0).clear().put(check).flip();
                    out.setAddress(0, new InetSocketAddress("10.7.2.1", port));
                    out.setCount(1);
                    peer.send(out);
                    PacketBatch in = new PacketBatch(1, 512);
                    conn4.receive(in);
                    assertThat(in.address(0)).isEqualTo(peer.localAddress());
                }
            }
        }
    }

    @Test
    void srflxAndRelayFromBehindANatAgainstCoturn() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn coturn = Coturn.builder(t.server()).listen(Topology.SERVER_IP).user("alice", "wonderland").tls().start();
            String server = Topology.SERVER_IP;
            HostGatherer host = HostGatherer.builder().build();
            SrflxGatherer srflx = new SrflxGatherer(List.of(StunUrl.parse("stun:" + server + ":" + coturn.port()),
                    StunUrl.parse("stun:198.18.0.99:3478")), host, Duration.ofSeconds(2));
            RelayGatherer relay = RelayGatherer.builder(List.of(
                            TurnUrl.parse("turn:" + server + ":" + coturn.port()),
                            TurnUrl.parse("turn:" + server + ":" + coturn.port() + "?transport=tcp"),
                            TurnUrl.parse("turns:" + server + ":" + coturn.tlsPort())))
                    .credentials("alice", "wonderland").sslContext(TlsTrust.trusting(coturn.certFile()))
                    .requestTimeout(Duration.ofSeconds(5)).build();
            try (CompositeGatherer all = CompositeGatherer.of(host, srflx, relay)) {
                RecordingSink sink = gatherIn(t.alice(), all, "aliceUfrag");
                assertThat(sink.dones.get()).isEqualTo(1);
                LocalCandidate h = sink.ofType(CandidateType.HOST).getFirst();
                assertThat(h.candidate().address().getAddress().getHostAddress()).isEqualTo(Topology.ALICE_IP);
                assertThat(sink.ofType(CandidateType.SERVER_REFLEXIVE)).singleElement().satisfies(s -> {
                    assertThat(s.candidate().address().getAddress().getHostAddress()).isEqualTo(t.natA().outsideIp());
                    assertThat(s.candidate().relatedAddress()).isEqualTo(h.candidate().address());
                    assertThat(s.base()).isSameAs(h.base());
                });
                assertThat(sink.failures).singleElement().satisfies(f -> {
                    assertThat(f.source()).isEqualTo("stun:198.18.0.99:3478");
                    assertThat(f.cause()).hasMessageContaining("did not answer within 2000 ms");
                });
                List<Candidate> relays = sink.ofType(CandidateType.RELAY).stream().map(LocalCandidate::candidate).toList();
                assertThat(relays).extracting(Candidate::relayProtocol).containsExactlyInAnyOrder(
                        Candidate.RelayProtocol.UDP, Candidate.RelayProtocol.TCP, Candidate.RelayProtocol.TLS);
                assertThat(relays).allSatisfy(r -> {
                    assertThat(r.address().getAddress().getHostAddress()).isEqualTo(server);
                    assertThat(r.relatedAddress().getAddress().getHostAddress()).isEqualTo(t.natA().outsideIp());
                });
                assertThat(relays).extracting(Candidate::foundation).doesNotHaveDuplicates();
                assertThat(Set.copyOf(sink.candidates.stream().map(LocalCandidate::base).toList()))
                        .containsAll(relay.allocations());

                // an ICE restart: the live allocations are reported again, none is made anew
                RecordingSink again = gatherIn(t.alice(), all, "aliceUfrag2");
                assertThat(again.ofType(CandidateType.RELAY)).extracting(LocalCandidate::candidate)
                        .containsExactlyInAnyOrderElementsOf(relays);
                assertThat(again.ofType(CandidateType.RELAY)).extracting(LocalCandidate::base)
                        .containsExactlyInAnyOrderElementsOf(relay.allocations());
                assertThat(again.ofType(CandidateType.SERVER_REFLEXIVE)).hasSize(1);
                assertThat(again.dones.get()).isEqualTo(1);
            }
            assertThat(relay.allocations()).isEmpty();
        }
    }

    @Test
    void srflxThroughASharedMuxThatAlsoCarriesWireGuard() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn coturn = Coturn.start(t.server(), Topology.SERVER_IP, 3478, "lab", "u", "p");
            java.util.concurrent.atomic.AtomicInteger foreign = new java.util.concurrent.atomic.AtomicInteger();
            UdpMux mux = NetNs.call(t.alice().netns(), () -> UdpMux
                    .builder(new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), 0))
                    .serverReflexive(new RetransmissionPolicy(Duration.ofMillis(250), 4, 4), null)
                    .foreign((b, s) -> foreign.incrementAndGet()).start());
            try (mux; HostGatherer host = HostGatherer.builder().shared(mux).build();
                    SrflxGatherer srflx = new SrflxGatherer(List.of(StunUrl.parse("stun:" + coturn.ip())), host,
                            Duration.ofSeconds(3))) {
                RecordingSink sink = gatherIn(t.alice(), CompositeGatherer.of(host, srflx), "aliceUfrag");
                assertThat(sink.failures).isEmpty();
                LocalCandidate s = sink.ofType(CandidateType.SERVER_REFLEXIVE).getFirst();
                assertThat(s.candidate().address()).isEqualTo(new InetSocketAddress(
                        InetAddress.ofLiteral(t.natA().outsideIp()), mux.localAddress().getPort()));
                assertThat(s.base()).isSameAs(mux.connFor("aliceUfrag"));
                // counted after the response completed the discovery (on the reader, just after)
                Waiter.until("the response counted", WAIT, () -> mux.stats().reflexive() == 1);
                assertThat(foreign.get()).isZero();
            }
        }
    }
}
