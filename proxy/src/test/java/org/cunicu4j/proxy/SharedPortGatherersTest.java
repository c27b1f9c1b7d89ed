package org.cunicu4j.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.gather.HostGatherer;
import org.cunicu4j.ice.gather.InterfaceFilter;
import org.cunicu4j.ice.gather.RelayGatherer;
import org.cunicu4j.ice.gather.SrflxGatherer;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;
import org.junit.jupiter.api.Test;

/** Which gatherers the settings ask for, and that closing them leaves the shared mux open. */
class SharedPortGatherersTest {
    private static final List<StunUrl> STUN = List.of(StunUrl.parse("stun:192.0.2.1:3478"));
    private static final List<TurnUrl> TURN = List.of(TurnUrl.parse("turn:192.0.2.1:3478?transport=udp"));

    private static GatherSettings settings(Set<CandidateType> types) {
        return new GatherSettings(STUN, TURN, "u", "p", InterfaceFilter.DEFAULT, types, true, true);
    }

    @Test
    void gatherersFollowTheCandidateTypes() throws Exception {
        MemoryPacketConn[] link = MemoryPacketConn.pair(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 2));
        try (UdpMux mux = UdpMux.builder(link[0]).ownsConn(false).serverReflexive().fed()) {
            List<UdpMux> muxes = List.of(mux);
            assertThat(kinds(SharedPortGatherers.over(muxes, settings(EnumSet.allOf(CandidateType.class)))))
                    .containsExactly(HostGatherer.class, SrflxGatherer.class, RelayGatherer.class);
            assertThat(kinds(SharedPortGatherers.over(muxes, settings(Set.of(CandidateType.RELAY)))))
                    .containsExactly(RelayGatherer.class);
            assertThat(kinds(SharedPortGatherers.over(muxes, settings(Set.of(CandidateType.HOST, CandidateType.PEER_REFLEXIVE)))))
                    .containsExactly(HostGatherer.class);
            assertThat(kinds(SharedPortGatherers.over(muxes, settings(Set.of(CandidateType.SERVER_REFLEXIVE)))))
                    .as("server-reflexive candidates need the host bases").containsExactly(HostGatherer.class, SrflxGatherer.class);
            assertThat(kinds(SharedPortGatherers.over(muxes, GatherSettings.hostOnly()))).containsExactly(HostGatherer.class);
            assertThat(kinds(SharedPortGatherers.over(List.of(), settings(EnumSet.allOf(CandidateType.class)))))
                    .as("no shared mux: relay only").containsExactly(RelayGatherer.class);
            assertThat(mux.conns()).isZero();
            mux.connFor("abcd"); // a conn an agent had; closing gatherers that never gathered leaves the mux as it is
            for (Gatherer g : SharedPortGatherers.over(muxes, settings(EnumSet.allOf(CandidateType.class)))) {
                g.close();
            }
            assertThat(mux.conns()).isEqualTo(1);
        }
    }

    private static List<Class<?>> kinds(List<Gatherer> gatherers) {
        List<Class<?>> out = gatherers.stream().<Class<?>>map(Object::getClass).toList();
        gatherers.forEach(Gatherer::close);
        return out;
    }
}
