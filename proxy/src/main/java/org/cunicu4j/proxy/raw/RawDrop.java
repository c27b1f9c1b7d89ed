package org.cunicu4j.proxy.raw;

/**
 * Why a datagram read or meant to be sent by a {@link RawUdpConn} was dropped; each has a
 * counter in {@link RawConnStats}. The first group comes from parsing what the filter let
 * through (malformed input, and {@link #STALE_PORT}, which is not), the rest from the
 * connection's own checks and sends.
 */
public enum RawDrop {
    /** Fewer bytes than an IPv4 + UDP header (AF_INET) or a UDP header (AF_INET6). */
    TOO_SHORT,
    /** The IP version nibble is not 4 on the AF_INET socket. */
    NOT_IPV4,
    /** IHL below 5 words or beyond the packet. */
    BAD_IP_HEADER_LENGTH,
    /** The IPv4 total length is shorter than its headers or longer than what was read. */
    BAD_IP_TOTAL_LENGTH,
    /** The IPv4 protocol is not UDP. */
    NOT_UDP,
    /** A fragment (MF set or a fragment offset): the kernel reassembles before raw delivery. */
    FRAGMENT,
    /** The UDP length is below 8 or beyond the bytes there. */
    BAD_UDP_LENGTH,
    /** To another port than WireGuard's now or the one before it (queued across two quick port changes). */
    WRONG_PORT,
    /**
     * To WireGuard's previous listen port, still queued when the port changed: the device
     * moved, the datagram is not malformed; not in {@link RawConnStats#receiveDrops()}.
     */
    STALE_PORT,
    /** Source port 0: nobody to answer. */
    ZERO_SOURCE_PORT,
    /** The payload is longer than the receiver's batch slot. */
    TOO_LONG_FOR_SLOT,
    /** Passed the filter but is no STUN message: never given to the mux (WireGuard has its own copy). */
    NOT_STUN,
    /** A send to an address of the other family. */
    WRONG_FAMILY,
    /** A send whose source address could not be found (no route to the destination). */
    NO_ROUTE,
    /** A send the kernel refused (-errno: unreachable, too big, a firewall). */
    SEND_REFUSED
}
