package org.cunicu4j.ice.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.gather.HostGatherer;
import org.cunicu4j.ice.gather.RelayGatherer;
import org.cunicu4j.ice.gather.SrflxGatherer;
import org.cunicu4j.ice.testing.StaticGatherer;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;

/**
 * The gatherers the lab tests give their agents, made inside the agent's namespace. The
 * real ones ({@link HostGatherer}, {@link SrflxGatherer}, {@link RelayGatherer}) open their
 * sockets on threads started from the thread that gathers, which {@link LabAgent} runs in
 * the namespace. {@link #staticHost} is a plain socket with no mux in front: bad input then
 * reaches the agent itself.
 */
final class LabGatherers {
    static final Duration SERVER_TIMEOUT = Duration.ofSeconds(5);

    private LabGatherers() {}

    /** The real host gatherer: every address of the namespace (link-local skipped), a mux per address. */
    static LabAgent.GathererFactory host() {
        return owned -> List.of(HostGatherer.builder().build());
    }

    /** Host candidates and the server-reflexive ones learnt from {@code stunUrl} through the same muxes. */
    static LabAgent.GathererFactory hostAndSrflx(String stunUrl) {
        return owned -> {
            HostGatherer host = HostGatherer.builder().build();
            return List.of(host, new SrflxGatherer(List.of(StunUrl.parse(stunUrl)), host, SERVER_TIMEOUT));
        };
    }

    /** Relay candidates from {@code turnUrl} (its transport: UDP, TCP or TLS); {@code tls} null unless turns:. */
    static LabAgent.GathererFactory relay(String turnUrl, String user, String password, SSLContext tls) {
        return owned -> {
            RelayGatherer.Builder b = RelayGatherer.builder(List.of(TurnUrl.parse(turnUrl)))
                    .credentials(user, password).requestTimeout(SERVER_TIMEOUT);
            if (tls != null) {
                b.sslContext(tls);
            }
            return List.of(b.build());
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

    /** Host candidates on plain sockets (no mux), one per given address, bound when the agent is made. */
    static LabAgent.GathererFactory staticHost(String... ips) {
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
