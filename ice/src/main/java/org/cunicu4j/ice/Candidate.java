package org.cunicu4j.ice;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One ICE candidate, local or remote (RFC 8445 §5.1): a transport address with its type,
 * priority and foundation. UDP only (the candidate's transport); a relay candidate says
 * over which protocol its TURN server is reached. Immutable.
 *
 * @param priority 32-bit unsigned, held in a long
 * @param relatedAddress the base (srflx, prflx) or mapped address (relay); null for host
 * @param relayProtocol UDP, TCP or TLS for a relay candidate; null otherwise
 */
public record Candidate(
        String foundation,
        int component,
        long priority,
        InetSocketAddress address,
        CandidateType type,
        InetSocketAddress relatedAddress,
        RelayProtocol relayProtocol) {

    /** How a relay candidate reaches its TURN server. */
    public enum RelayProtocol { UDP, TCP, TLS }

    public Candidate {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(type, "type");
        if (component < 1 || component > 256) {
            throw new IllegalArgumentException("component " + component + " is out of range 1..256");
        }
        if (priority < 1 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("priority " + priority + " is out of range 1..2^32-1");
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("candidate address " + address + " is not resolved");
        }
    }
}
