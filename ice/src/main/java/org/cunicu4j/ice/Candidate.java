package org.cunicu4j.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * One ICE candidate, local or remote (RFC 8445 §5.1): a transport address with its type,
 * priority and foundation. UDP only (the candidate's transport); a relay candidate says
 * over which protocol its TURN server is reached. Immutable.
 *
 * <p>{@link #toSdp()} and {@link #parse(String)} convert to and from the SDP
 * {@code candidate:} attribute (RFC 8839 §5.1); {@link #priorityOf} and
 * {@link #foundationOf} compute the priority and foundation a gatherer gives its
 * candidates (RFC 8445 §5.1.2 and §5.1.1.3).
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

    /** The local preference of a host with one address per family (RFC 8445 §5.1.2.2). */
    public static final int DEFAULT_LOCAL_PREFERENCE = 65535;

    /**
     * RFC 8445 §5.1.2.1: {@code 2^24 * type preference + 2^8 * local preference + (256 - component)}.
     *
     * @param localPreference 0..65535, higher is preferred
     */
    public static long priorityOf(CandidateType type, int localPreference, int component) {
        return priorityOf(type.typePreference(), localPreference, component);
    }

    /** As {@link #priorityOf(CandidateType, int, int)} with an explicit type preference 0..126. */
    public static long priorityOf(int typePreference, int localPreference, int component) {
        if (typePreference < 0 || typePreference > 126) {
            throw new IllegalArgumentException("type preference " + typePreference + " is out of range 0..126");
        }
        if (localPreference < 0 || localPreference > 65535) {
            throw new IllegalArgumentException("local preference " + localPreference + " is out of range 0..65535");
        }
        if (component < 1 || component > 256) {
            throw new IllegalArgumentException("component " + component + " is out of range 1..256");
        }
        return ((long) typePreference << 24) + ((long) localPreference << 8) + (256 - component);
    }

    /**
     * A foundation (RFC 8445 §5.1.1.3): equal for candidates of the same type, base IP
     * address, STUN/TURN server (null for host and peer-reflexive) and transport, and
     * different otherwise (up to a 32-bit hash collision). Eight hex digits.
     */
    public static String foundationOf(CandidateType type, InetAddress baseAddress, InetSocketAddress server,
            RelayProtocol relayProtocol) {
        CRC32 crc = new CRC32();
        crc.update(type.sdpName().getBytes(StandardCharsets.US_ASCII));
        crc.update(baseAddress.getAddress());
        if (server != null) {
            crc.update(server.toString().getBytes(StandardCharsets.UTF_8));
        }
        crc.update(relayProtocol == null ? "udp".getBytes(StandardCharsets.US_ASCII)
                : relayProtocol.name().getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }

    /**
     * This candidate as an SDP attribute value, e.g. {@code candidate:1f2e 1 udp 2130706431
     * 192.0.2.1 4000 typ host} (no {@code a=} prefix; relay protocol is not part of the line).
     */
    public String toSdp() {
        return CandidateSdp.format(this);
    }

    /**
     * Parses an SDP candidate attribute ({@code candidate:...}, with or without {@code a=}).
     * Addresses must be IP literals (no names are resolved); extensions after the type and
     * related address ({@code generation 0}, {@code ufrag ...}) are ignored.
     *
     * @throws IllegalArgumentException naming what was wrong and where
     */
    public static Candidate parse(String sdp) {
        return CandidateSdp.parse(sdp);
    }

    /** The same candidate with another priority (a peer-reflexive priority, for example). */
    public Candidate withPriority(long newPriority) {
        return new Candidate(foundation, component, newPriority, address, type, relatedAddress, relayProtocol);
    }

    @Override
    public String toString() {
        return toSdp();
    }
}
