package org.cunicu4j.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.gather.HostGatherer;
import org.cunicu4j.ice.gather.RelayGatherer;
import org.cunicu4j.ice.gather.SrflxGatherer;
import org.cunicu4j.ice.mux.UdpMux;

/**
 * The gatherers of one peer's ICE agent over muxes a {@link PortSharing} shares across its
 * peers: a {@link HostGatherer} on the shared muxes (one per address family, bound to the
 * family's wildcard; no dual-stack), a {@link SrflxGatherer} asking the STUN servers from
 * those muxes' sockets, and a {@link RelayGatherer} with allocations of its own, each only
 * when {@link GatherSettings#candidateTypes()} wants what it finds (the host gatherer also
 * for server- and peer-reflexive candidates, which live on its bases). Closing the
 * gatherers closes what they registered on the muxes, never the muxes. Stateless.
 *
 * <p>The agent's {@code IceConfig.candidateTypes} should be the settings' too: the agent is
 * what drops the candidate types it does not want.
 */
public final class SharedPortGatherers {
    /** How long each STUN server has to answer a server-reflexive request. */
    public static final Duration SRFLX_TIMEOUT = Duration.ofSeconds(5);

    private SharedPortGatherers() {}

    /**
     * The gatherers, host first (the server-reflexive one waits for its bases).
     *
     * @param muxes the shared muxes (borrowed), those of families the settings exclude are skipped
     */
    public static List<Gatherer> over(List<UdpMux> shared, GatherSettings settings) {
        List<UdpMux> muxes = new ArrayList<>(shared.size());
        for (UdpMux m : shared) {
            boolean v4 = m.localAddress().getAddress() instanceof java.net.Inet4Address;
            if (v4 ? settings.ipv4() : settings.ipv6()) {
                muxes.add(m);
            }
        }
        Set<CandidateType> types = settings.candidateTypes();
        List<Gatherer> out = new ArrayList<>(3);
        boolean wantsHostBases = types.contains(CandidateType.HOST) || types.contains(CandidateType.SERVER_REFLEXIVE)
                || types.contains(CandidateType.PEER_REFLEXIVE);
        if (wantsHostBases && !muxes.isEmpty()) {
            HostGatherer host = HostGatherer.builder()
                    .filter(settings.interfaces())
                    .loopback(settings.loopback())
                    .families(settings.ipv4(), settings.ipv6())
                    .shared(muxes.toArray(UdpMux[]::new))
                    .dualStack(false)
                    .build();
            out.add(host);
            if (types.contains(CandidateType.SERVER_REFLEXIVE) && !settings.stun().isEmpty()) {
                out.add(new SrflxGatherer(settings.stun(), host, SRFLX_TIMEOUT));
            }
        }
        if (types.contains(CandidateType.RELAY) && !settings.turn().isEmpty()) {
            RelayGatherer.Builder b = RelayGatherer.builder(settings.turn());
            if (settings.turnUsername() != null && settings.turnPassword() != null) {
                b.credentials(settings.turnUsername(), settings.turnPassword());
            }
            out.add(b.build());
        }
        return out;
    }
}
