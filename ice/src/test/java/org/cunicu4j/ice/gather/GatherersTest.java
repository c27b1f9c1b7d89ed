package org.cunicu4j.ice.gather;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.client.RetransmissionPolicy;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/** Gatherers on loopback (no lab): priorities, foundations, filters, host, srflx, composite. */
class GatherersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");
    private static final InetAddress V6 = InetAddress.ofLiteral("::1");

    static LocalAddress lo(InetAddress a) {
        return new LocalAddress("lo", 1, true, true, a);
    }

    @Test
    void prioritiesFollowRfc8445() {
        assertThat(Priorities.priority(CandidateType.HOST, 65535, 1)).isEqualTo(2_130_706_431L);
        assertThat(Priorities.priority(CandidateType.RELAY, 0, 256)).isEqualTo(0);
        assertThat(Priorities.hostLocalPreference(V6, 0)).isEqualTo(65535);
        assertThat(Priorities.hostLocalPreference(V6, 3)).isEqualTo(65532);
        assertThat(Priorities.hostLocalPreference(V4, 0)).isEqualTo(32767);
        assertThat(Priorities.priority(CandidateType.HOST, Priorities.hostLocalPreference(V4, 0), 1))
                .isGreaterThan(Priorities.priority(CandidateType.PEER_REFLEXIVE, 65535, 1));
        assertThat(Priorities.priority(CandidateType.SERVER_REFLEXIVE, 65535, 1))
                .isGreaterThan(Priorities.priority(CandidateType.RELAY, 65535, 1));
        assertThat(Priorities.relayLocalPreference(Candidate.RelayProtocol.UDP, 5))
                .isGreaterThan(Priorities.relayLocalPreference(Candidate.RelayProtocol.TCP, 0))
                .isGreaterThan(Priorities.relayLocalPreference(Candidate.RelayProtocol.TLS, 0));
        assertThat(Priorities.relayLocalPreference(Candidate.RelayProtocol.UDP, 0))
                .isGreaterThan(Priorities.relayLocalPreference(Candidate.RelayProtocol.UDP, 1));
    }

    @Test
    void foundationsAreEqualExactlyForTheSameTuple() {
        InetAddress s = InetAddress.ofLiteral("198.18.0.10");
        String f = Foundations.foundation(CandidateType.SERVER_REFLEXIVE, V4, s, "udp");
        assertThat(Foundations.foundation(CandidateType.SERVER_REFLEXIVE, V4, s, "udp")).isEqualTo(f);
        assertThat(f).matches("[0-9a-f]{1,8}");
        assertThat(List.of(
                Foundations.foundation(CandidateType.HOST, V4, null, "udp"),
                Foundations.foundation(CandidateType.SERVER_REFLEXIVE, V6, s, "udp"),
                Foundations.foundation(CandidateType.SERVER_REFLEXIVE, V4, V6, "udp"),
                Foundations.foundation(CandidateType.RELAY, V4, s, "tcp"))).doesNotContain(f).doesNotHaveDuplicates();
    }

    @Test
    void interfaceGlobsIncludeAndExclude() {
        InterfaceFilter f = new InterfaceFilter(List.of("eth*", "wlan?", "en[op]1"), List.of("eth1*", "[!e]*0"));
        assertThat(f.accepts("eth0")).isTrue();
        assertThat(f.accepts("eth10")).isFalse();
        assertThat(f.accepts("wlan0")).isFalse(); // excluded by [!e]*0
        assertThat(f.accepts("wlan1")).isTrue();
        assertThat(f.accepts("wlan12")).isFalse();
        assertThat(f.accepts("eno1")).isTrue();
        assertThat(f.accepts("enq1")).isFalse();
        assertThat(f.accepts("docker0")).isFalse();
        assertThat(InterfaceFilter.ALL.accepts("anything")).isTrue();
        assertThat(new InterfaceFilter(List.of(), List.of("wg*")).accepts("wg0")).isFalse();
        assertThat(new InterfaceFilter(List.of("a.b"), List.of()).accepts("axb")).isFalse();
    }

    @Test
    void selectionSkipsLinkLocalLoopbackDownAndFilteredAndPutsIpv6First() {
        List<LocalAddress> all = List.of(
                lo(V4), lo(V6),
                new LocalAddress("eth0", 2, true, false, InetAddress.ofLiteral("10.0.0.1")),
                new LocalAddress("eth0", 2, true, false, InetAddress.ofLiteral("fe80::1")),
                new LocalAddress("eth0", 2, true, false, InetAddress.ofLiteral("169.254.3.4")),
                new LocalAddress("eth0", 2, true, false, InetAddress.ofLiteral("fd00::1")),
                new LocalAddress("eth1", 3, false, false, InetAddress.ofLiteral("10.0.1.1")),
                new LocalAddress("eth2", 4, true, false, InetAddress.ofLiteral("10.0.2.1")),
                new LocalAddress("wg0", 5, true, false, InetAddress.ofLiteral("10.99.0.1")));
        InterfaceFilter noWg = new InterfaceFilter(List.of(), List.of("wg*"));
        assertThat(HostAddresses.select(all, noWg, false, true, true)).extracting(a -> a.address().getHostAddress())
                .containsExactly("fd00:0:0:0:0:0:0:1", "10.0.0.1", "10.0.2.1");
        assertThat(HostAddresses.select(all, noWg, true, true, false)).extracting(a -> a.address().getHostAddress())
                .containsExactly("127.0.0.1", "10.0.0.1", "10.0.2.1");
        assertThat(HostAddresses.select(all, InterfaceFilter.ALL, false, false, true)).hasSize(1);
    }

    @Test
    void perAddressHostCandidatesHaveSocketsOfTheirOwn() throws Exception {
        try (HostGatherer host = HostGatherer.builder().loopback(true).addresses(() -> List.of(lo(V4), lo(V6))).build();
                UdpPacketConn peer = UdpPacketConn.open(new InetSocketAddress(V4, 0))) {
            RecordingSink sink = new RecordingSink();
            host.gather("ufragA", 1, sink);
            sink.await(WAIT);
            assertThat(sink.dones.get()).isEqualTo(1);
            assertThat(sink.failures).isEmpty();
            List<Candidate> cands = sink.candidates.stream().map(LocalCandidate::candidate).toList();
            assertThat(cands).extracting(c -> c.address().getAddress()).containsExactly(V6, V4);
            assertThat(cands).allSatisfy(c -> {
                assertThat(c.type()).isEqualTo(CandidateType.HOST);
                assertThat(c.address().getPort()).isPositive();
                assertThat(c.relatedAddress()).isNull();
            });
            assertThat(cands.get(0).priority()).isEqualTo(Priorities.priority(CandidateType.HOST, 65535, 1));
            assertThat(cands.get(1).priority()).isEqualTo(Priorities.priority(CandidateType.HOST, 32767, 1));
            assertThat(cands.get(0).foundation()).isNotEqualTo(cands.get(1).foundation());
            assertThat(host.bases().get()).hasSize(2);

            // the base is a working socket: data to the candidate address arrives there once the peer is claimed
            LocalCandidate v4 = sink.candidates.get(1);
            PacketBatch b = new PacketBatch(1, 256);
            b.buffer(0).clear().put("hi".getBytes(StandardCharsets.US_ASCII)).flip();
            b.setAddress(0, peer.localAddress());
            b.setCount(1);
            v4.base().send(b);
            PacketBatch in = new PacketBatch(1, 256);
            peer.receive(in);
            assertThat(in.address(0)).isEqualTo(v4.candidate().address());
            in.setCount(1);
            in.setAddress(0, v4.candidate().address());
            peer.send(in);
            PacketBatch back = new PacketBatch(1, 256);
            v4.base().receive(back);
            assertThat(back.address(0)).isEqualTo(peer.localAddress());
        }
    }

    @Test
    void sharedPortHostCandidatesAllHaveTheMuxPort() throws Exception {
        try (UdpMux mux = UdpMux.builder(new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), 0)).start();
                HostGatherer host = HostGatherer.builder().loopback(true).shared(mux)
                        .addresses(() -> List.of(lo(V4), lo(InetAddress.ofLiteral("127.0.0.2")), lo(V6))).build()) {
            RecordingSink sink = new RecordingSink();
            host.gather("ufragB", 1, sink);
            sink.await(WAIT);
            assertThat(sink.candidates).extracting(c -> c.candidate().address())
                    .containsExactly(new InetSocketAddress(V4, mux.localAddress().getPort()),
                            new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), mux.localAddress().getPort()));
            assertThat(sink.candidates).extracting(LocalCandidate::base).containsOnly(mux.connFor("ufragB"));
            assertThat(sink.failures).singleElement().satisfies(f -> {
                assertThat(f.source()).isEqualTo("host 0:0:0:0:0:0:0:1 (lo)");
                assertThat(f.cause()).hasMessageContaining("no shared UdpMux serves 0:0:0:0:0:0:0:1");
            });
            host.close();
            assertThat(mux.conns()).isZero();
        }
    }

    @Test
    void srflxThroughTheHostMuxDropsDuplicatesAndReportsSilentServers() throws Exception {
        InetSocketAddress nat = new InetSocketAddress(InetAddress.ofLiteral("203.0.113.7"), 4242);
        try (LoopbackStunServer natted = new LoopbackStunServer(new InetSocketAddress(V4, 0), nat);
                LoopbackStunServer plain = new LoopbackStunServer(new InetSocketAddress(V4, 0), null)) {
            LoopbackStunServer silent = new LoopbackStunServer(new InetSocketAddress(V4, 0), null);
            silent.close();
            HostGatherer host = HostGatherer.builder().loopback(true).addresses(() -> List.of(lo(V4)))
                    .stunPolicy(new RetransmissionPolicy(Duration.ofMillis(100), 3, 2)).build();
            SrflxGatherer srflx = new SrflxGatherer(List.of(url(natted), url(plain), url(silent),
                    StunUrl.parse("stuns:127.0.0.1")), host, Duration.ofMillis(1500));
            try (CompositeGatherer all = CompositeGatherer.of(host, srflx)) {
                RecordingSink sink = new RecordingSink();
                all.gather("ufragC", 1, sink);
                sink.await(WAIT);
                assertThat(sink.dones.get()).isEqualTo(1);
                LocalCandidate h = sink.ofType(CandidateType.HOST).getFirst();
                assertThat(sink.ofType(CandidateType.SERVER_REFLEXIVE)).singleElement().satisfies(s -> {
                    assertThat(s.candidate().address()).isEqualTo(nat);
                    assertThat(s.candidate().relatedAddress()).isEqualTo(h.candidate().address());
                    assertThat(s.base()).isSameAs(h.base());
                    assertThat(s.candidate().priority())
                            .isEqualTo(Priorities.priority(CandidateType.SERVER_REFLEXIVE, 32767, 1));
                });
                assertThat(srflx.duplicates()).isEqualTo(1);
                assertThat(sink.failures).extracting(RecordingSink.Failure::source)
                        .containsExactlyInAnyOrder(url(silent).toString(), "stuns:127.0.0.1:5349");
                assertThat(natted.requests.get()).isEqualTo(1);

                // an ICE restart: the same gatherers again with a new fragment, on the same bases
                RecordingSink again = new RecordingSink();
                all.gather("ufragC2", 1, again);
                again.await(WAIT);
                assertThat(again.dones.get()).isEqualTo(1);
                assertThat(again.candidates).extracting(LocalCandidate::candidate)
                        .containsExactlyInAnyOrderElementsOf(sink.candidates.stream().map(LocalCandidate::candidate).toList());
                assertThat(again.candidates).extracting(LocalCandidate::base).containsOnly(h.base());
                assertThat(((MuxedConn) h.base()).ufrag()).isEqualTo("ufragC2");
                assertThat(natted.requests.get()).isEqualTo(2);
                UdpMux mux = host.bases().get().getFirst().mux();
                Waiter.until("the four responses of both rounds counted", WAIT, () -> mux.stats().reflexive() == 4);
            }
        }
    }

    private static StunUrl url(LoopbackStunServer s) {
        return new StunUrl(false, "127.0.0.1", s.address().getPort());
    }

    @Test
    void anUnreachableTurnServerIsReportedNotThrown() throws Exception {
        LoopbackStunServer gone = new LoopbackStunServer(new InetSocketAddress(V4, 0), null);
        gone.close();
        try (RelayGatherer relay = RelayGatherer.builder(List.of(
                        TurnUrl.parse("turn:127.0.0.1:" + gone.address().getPort()),
                        TurnUrl.parse("turn:127.0.0.1:" + gone.address().getPort() + "?transport=tcp")))
                .credentials("u", "p").requestTimeout(Duration.ofMillis(600)).build()) {
            RecordingSink sink = new RecordingSink();
            relay.gather("ufragD", 1, sink);
            sink.await(WAIT);
            assertThat(sink.candidates).isEmpty();
            assertThat(sink.failures).hasSize(2).allSatisfy(f -> assertThat(f.cause()).isNotNull());
            assertThat(sink.dones.get()).isEqualTo(1);
        }
    }

    @Test
    void compositeCallsDoneOnceAfterEveryPart() throws Exception {
        Gatherer twice = new Gatherer() {
            @Override
            public void gather(String ufrag, int component, Sink sink) {
                sink.done();
                sink.done();
            }

            @Override
            public void close() {}
        };
        Gatherer throwing = new Gatherer() {
            @Override
            public void gather(String ufrag, int component, Sink sink) {
                throw new IllegalStateException("broken part");
            }

            @Override
            public void close() {}
        };
        Gatherer.Sink[] late = new Gatherer.Sink[1];
        Gatherer slow = new Gatherer() {
            @Override
            public void gather(String ufrag, int component, Sink sink) {
                late[0] = sink;
            }

            @Override
            public void close() {}
        };
        RecordingSink sink = new RecordingSink();
        CompositeGatherer.of(twice, throwing, slow).gather("u", 1, sink);
        assertThat(sink.dones.get()).isZero();
        assertThat(sink.failures).singleElement().satisfies(f -> assertThat(f.cause()).hasMessage("broken part"));
        late[0].done();
        assertThat(sink.dones.get()).isEqualTo(1);
        RecordingSink empty = new RecordingSink();
        CompositeGatherer.of().gather("u", 1, empty);
        assertThat(empty.dones.get()).isEqualTo(1);
    }
}
