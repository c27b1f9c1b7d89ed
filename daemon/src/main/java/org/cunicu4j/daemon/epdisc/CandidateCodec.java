package org.cunicu4j.daemon.epdisc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.net.IpLiterals;
import org.cunicu4j.signaling.proto.epdisc.NetworkType;
import org.cunicu4j.signaling.proto.epdisc.RelatedAddress;
import org.cunicu4j.signaling.proto.epdisc.RelayProtocol;
import org.cunicu4j.signaling.proto.epdisc.TCPType;

/**
 * An ICE {@link Candidate} to and from cunīcu's {@code epdisc.Candidate} protobuf.
 *
 * <p>Mapping: the types one to one; {@code network_type} UDP4 or UDP6 by the address's
 * family (TCP candidates are refused on receipt: our agent is UDP only); {@code priority}
 * is the 32-bit unsigned priority carried in the proto's {@code int32} (as cunīcu does);
 * {@code address} an IP literal (names, e.g. mDNS {@code .local}, are refused: nothing is
 * resolved); {@code related_address} present for server-reflexive, peer-reflexive and relay
 * candidates; {@code relay_protocol} UDP, TCP or TLS for a relay (DTLS or unspecified on
 * receipt: accepted with the protocol unknown). Decoding never throws: an invalid proto
 * yields a {@link Decoded} with the reason. Stateless and thread-safe.
 */
public final class CandidateCodec {

    private CandidateCodec() {}

    /** The result of {@link #decode}: a candidate, or why the proto was refused. */
    public record Decoded(Candidate candidate, String error) {
        public boolean ok() {
            return candidate != null;
        }

        static Decoded invalid(String error) {
            return new Decoded(null, error);
        }
    }

    /** {@code c} as the proto cunīcu sends. */
    public static org.cunicu4j.signaling.proto.epdisc.Candidate encode(Candidate c) {
        Objects.requireNonNull(c, "c");
        var b = org.cunicu4j.signaling.proto.epdisc.Candidate.newBuilder()
                .setType(encodeType(c.type()))
                .setNetworkType(c.address().getAddress() instanceof Inet4Address ? NetworkType.UDP4 : NetworkType.UDP6)
                .setTcpType(TCPType.UNSPECIFIED_TCP_TYPE)
                .setFoundation(c.foundation())
                .setComponent(c.component())
                .setPriority((int) c.priority())
                .setAddress(c.address().getAddress().getHostAddress())
                .setPort(c.address().getPort());
        if (c.relatedAddress() != null) {
            b.setRelatedAddress(RelatedAddress.newBuilder()
                    .setAddress(c.relatedAddress().getAddress().getHostAddress())
                    .setPort(c.relatedAddress().getPort()));
        }
        if (c.relayProtocol() != null) {
            b.setRelayProtocol(switch (c.relayProtocol()) {
                case UDP -> RelayProtocol.UDP;
                case TCP -> RelayProtocol.TCP;
                case TLS -> RelayProtocol.TLS;
            });
        }
        return b.build();
    }

    /** The candidate {@code p} describes, or why it is refused; never throws. */
    public static Decoded decode(org.cunicu4j.signaling.proto.epdisc.Candidate p) {
        if (p == null) {
            return Decoded.invalid("no candidate");
        }
        try {
            return decodeChecked(p);
        } catch (RuntimeException e) {
            return Decoded.invalid("invalid candidate: " + e.getMessage());
        }
    }

    private static Decoded decodeChecked(org.cunicu4j.signaling.proto.epdisc.Candidate p) {
        CandidateType type = switch (p.getType()) {
            case HOST -> CandidateType.HOST;
            case SERVER_REFLEXIVE -> CandidateType.SERVER_REFLEXIVE;
            case PEER_REFLEXIVE -> CandidateType.PEER_REFLEXIVE;
            case RELAY -> CandidateType.RELAY;
            default -> null;
        };
        if (type == null) {
            return Decoded.invalid("candidate type " + p.getTypeValue() + " is not host, srflx, prflx or relay");
        }
        boolean v4;
        switch (p.getNetworkType()) {
            case UDP4 -> v4 = true;
            case UDP6 -> v4 = false;
            default -> {
                return Decoded.invalid("network type " + p.getNetworkTypeValue() + " is not udp4 or udp6");
            }
        }
        if (p.getFoundation().isEmpty() || p.getFoundation().length() > 32) {
            return Decoded.invalid("foundation must be 1..32 characters, got " + p.getFoundation().length());
        }
        if (p.getComponent() < 1 || p.getComponent() > 256) {
            return Decoded.invalid("component " + p.getComponent() + " is out of range 1..256");
        }
        long priority = Integer.toUnsignedLong(p.getPriority());
        if (priority == 0) {
            return Decoded.invalid("priority 0");
        }
        InetSocketAddress address = socketAddress(p.getAddress(), p.getPort(), "address");
        if (address == null) {
            return Decoded.invalid("address '" + clip(p.getAddress()) + "' port " + p.getPort()
                    + " is not an IP literal with a port 1..65535");
        }
        if ((address.getAddress() instanceof Inet4Address) != v4) {
            return Decoded.invalid("address " + address.getAddress().getHostAddress() + " does not match network type "
                    + p.getNetworkType());
        }
        InetSocketAddress related = null;
        if (p.hasRelatedAddress() && !p.getRelatedAddress().getAddress().isEmpty()) {
            related = socketAddress(p.getRelatedAddress().getAddress(), p.getRelatedAddress().getPort(), "related");
            if (related == null) {
                return Decoded.invalid("related address '" + clip(p.getRelatedAddress().getAddress()) + "' port "
                        + p.getRelatedAddress().getPort() + " is not an IP literal with a port 0..65535");
            }
        }
        Candidate.RelayProtocol relay = null;
        if (type == CandidateType.RELAY) {
            relay = switch (p.getRelayProtocol()) {
                case UDP -> Candidate.RelayProtocol.UDP;
                case TCP -> Candidate.RelayProtocol.TCP;
                case TLS -> Candidate.RelayProtocol.TLS;
                default -> null; // DTLS, unspecified, unknown: only shown in status, so accepted as unknown
            };
        }
        return new Decoded(new Candidate(p.getFoundation(), p.getComponent(), priority, address, type, related, relay),
                null);
    }

    /** An IP literal and port, or null; a related address may have port 0 (pion sends 0 for "none"). */
    private static InetSocketAddress socketAddress(String text, int port, String which) {
        int min = which.equals("related") ? 0 : 1;
        if (port < min || port > 65535 || text.isEmpty() || text.length() > 64) {
            return null;
        }
        InetAddress ip;
        try {
            ip = IpLiterals.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return new InetSocketAddress(ip, port);
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    private static org.cunicu4j.signaling.proto.epdisc.CandidateType encodeType(CandidateType t) {
        return switch (t) {
            case HOST -> org.cunicu4j.signaling.proto.epdisc.CandidateType.HOST;
            case SERVER_REFLEXIVE -> org.cunicu4j.signaling.proto.epdisc.CandidateType.SERVER_REFLEXIVE;
            case PEER_REFLEXIVE -> org.cunicu4j.signaling.proto.epdisc.CandidateType.PEER_REFLEXIVE;
            case RELAY -> org.cunicu4j.signaling.proto.epdisc.CandidateType.RELAY;
        };
    }
}
