package org.cunicu4j.ice.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.stun.turn.Allocation;
import org.cunicu4j.stun.turn.TurnClient;
import org.cunicu4j.stun.turn.TurnConfig;
import org.cunicu4j.ice.testing.StaticGatherer;
import org.cunicu4j.net.udp.UdpPacketConn;

/** The gatherers the lab tests give their agents; each made inside the agent's namespace. */
final class LabGatherers {
    private LabGatherers() {}

    /** Host candidates only: one UDP socket per given address, bound in the calling namespace. */
    static LabAgent.GathererFactory host(String... ips) {
        return owned -> {
            List<LocalCandidate> cands = new ArrayList<>();
            int localPref = 65535;
            for (String ip : ips) {
                UdpPacketConn conn = UdpPacketConn.open(new InetSocketAddress(InetAddress.ofLiteral(ip), 0));
                owned.add(conn);
                cands.add(new LocalCandidate(hostCandidate(conn.localAddress(), localPref--), conn));
            }
            return List.of(new StaticGatherer(cands));
        };
    }

    /**
     * A host and a server-reflexive candidate on one shared port: a {@link UdpMux} bound to
     * {@code bindIp} (made here, in the agent's namespace) that asks {@code stun} for the
     * port's mapped address when the agent gathers.
     */
    static LabAgent.GathererFactory hostAndSrflx(String bindIp, InetSocketAddress stun) {
        return owned -> {
            UdpMux mux = UdpMux.builder(new InetSocketAddress(InetAddress.ofLiteral(bindIp), 0)).serverReflexive().start();
            owned.add(mux);
            return List.of(new Gatherer() {
                @Override
                public void gather(String localUfrag, int component, Sink sink) {
                    MuxedConn conn = mux.connFor(localUfrag);
                    InetSocketAddress base = mux.localAddress();
                    sink.candidate(new LocalCandidate(hostCandidate(base, 65535), conn));
                    mux.mappedAddress(stun).orTimeout(5, TimeUnit.SECONDS).whenComplete((r, e) -> {
                        if (e != null) {
                            sink.failed("stun " + stun, e instanceof Exception ex ? ex : new RuntimeException(e));
                        } else {
                            sink.candidate(new LocalCandidate(new Candidate(
                                    Candidate.foundationOf(CandidateType.SERVER_REFLEXIVE, base.getAddress(), stun, null),
                                    component, Candidate.priorityOf(CandidateType.SERVER_REFLEXIVE, 65535, component),
                                    r.mappedAddress(), CandidateType.SERVER_REFLEXIVE, base, null), conn));
                        }
                        sink.done();
                    });
                }

                @Override
                public void close() {
                    // the mux is owned by the test (closed with the agent's other resources)
                }
            });
        };
    }

    /**
     * A relay candidate: a TURN allocation made here (in the agent's namespace, when the
     * agent is created), reported whenever the agent gathers.
     */
    static LabAgent.GathererFactory relay(TurnConfig config) {
        return owned -> {
            Allocation alloc = TurnClient.allocate(config);
            owned.add(alloc);
            Candidate.RelayProtocol protocol = Candidate.RelayProtocol.valueOf(config.transport().name());
            Candidate c = new Candidate(
                    Candidate.foundationOf(CandidateType.RELAY, alloc.relayedAddress().getAddress(), config.server(),
                            protocol),
                    1, Candidate.priorityOf(CandidateType.RELAY, 65535, 1), alloc.relayedAddress(),
                    CandidateType.RELAY, alloc.mappedAddress().orElse(null), protocol);
            return List.of(new StaticGatherer(List.of(new LocalCandidate(c, alloc))));
        };
    }

    /** All of {@code factories}' gatherers, for one agent. */
    static LabAgent.GathererFactory all(LabAgent.GathererFactory... factories) {
        return owned -> {
            List<Gatherer> all = new ArrayList<>();
            for (LabAgent.GathererFactory f : factories) {
                all.addAll(f.create(owned));
            }
            return all;
        };
    }

    static Candidate hostCandidate(InetSocketAddress bound, int localPreference) {
        return new Candidate(Candidate.foundationOf(CandidateType.HOST, bound.getAddress(), null, null), 1,
                Candidate.priorityOf(CandidateType.HOST, localPreference, 1), bound, CandidateType.HOST, null, null);
    }
}
