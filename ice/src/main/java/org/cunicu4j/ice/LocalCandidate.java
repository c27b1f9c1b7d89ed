package org.cunicu4j.ice;

import java.util.Objects;
import org.cunicu4j.net.PacketConn;

/**
 * A local candidate together with its base (RFC 8445 §5.1.1): the connection the agent
 * sends its checks and data from, and receives on. Several candidates may share one base
 * (a host candidate and the server-reflexive one learnt through it); a relay
 * candidate's base is its TURN allocation. The agent reads each distinct base on a
 * thread of its own.
 */
public record LocalCandidate(Candidate candidate, PacketConn base) {
    public LocalCandidate {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(base, "base");
    }
}
