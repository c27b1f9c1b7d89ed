package org.cunicu4j.ice.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.LocalCandidate;
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

    static Candidate hostCandidate(InetSocketAddress bound, int localPreference) {
        return new Candidate(Candidate.foundationOf(CandidateType.HOST, bound.getAddress(), null, null), 1,
                Candidate.priorityOf(CandidateType.HOST, localPreference, 1), bound, CandidateType.HOST, null, null);
    }
}
