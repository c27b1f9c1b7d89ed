package org.cunicu4j.ice.gather;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;

/**
 * Candidate priorities (RFC 8445 section 5.1.2.1):
 * {@code 2^24 * typePreference + 2^8 * localPreference + (256 - component)}, with the
 * type preferences of {@link CandidateType} (host 126, prflx 110, srflx 100, relay 0).
 *
 * <h2>Local preferences used here</h2>
 * Host addresses are ordered IPv6 first (RFC 8421 recommends preferring IPv6 while keeping
 * IPv4 in reach), then by interface index, then by address; the i-th IPv6 address gets
 * {@code 65535 - i} and the i-th IPv4 address {@code 32767 - i}, so every host base has a
 * distinct local preference and IPv6 always outranks IPv4. A server-reflexive candidate
 * takes the local preference of its base. A relay candidate takes
 * {@code rank << 13 | (8191 - serverIndex)} with rank UDP 3, TCP 2, TLS 1 (a relay over UDP
 * adds no head-of-line blocking). Stateless.
 */
public final class Priorities {
    private Priorities() {}

    /** The priority of a candidate of {@code type} with {@code localPreference} (0..65535) on {@code component} (1..256). */
    public static long priority(CandidateType type, int localPreference, int component) {
        if (localPreference < 0 || localPreference > 0xFFFF) {
            throw new IllegalArgumentException("local preference must be 0..65535, got " + localPreference);
        }
        if (component < 1 || component > 256) {
            throw new IllegalArgumentException("component must be 1..256, got " + component);
        }
        return ((long) type.typePreference() << 24) + ((long) localPreference << 8) + (256 - component);
    }

    /** The local preference of the {@code indexInFamily}-th host address of its family. */
    public static int hostLocalPreference(InetAddress address, int indexInFamily) {
        int top = address instanceof Inet6Address ? 0xFFFF : 0x7FFF;
        return Math.max(0, top - indexInFamily);
    }

    /** The local preference of a relay candidate reached over {@code protocol}, from the {@code serverIndex}-th TURN server. */
    public static int relayLocalPreference(Candidate.RelayProtocol protocol, int serverIndex) {
        int rank = switch (protocol) {
            case UDP -> 3;
            case TCP -> 2;
            case TLS -> 1;
        };
        return rank << 13 | (8191 - Math.min(Math.max(serverIndex, 0), 8191));
    }
}
