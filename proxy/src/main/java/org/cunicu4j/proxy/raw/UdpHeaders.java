package org.cunicu4j.proxy.raw;

import java.nio.ByteBuffer;

/**
 * Parses what a raw UDP socket reads (AF_INET: the IPv4 packet; AF_INET6: the UDP datagram
 * without the IPv6 header) and builds what it sends (AF_INET with {@code IP_HDRINCL}: an
 * IPv4 header, a UDP header and the payload; AF_INET6: a UDP header and the payload), with
 * the Internet checksums of RFC 791/768 and RFC 8200 §8.1.
 *
 * <p>Received checksums are not verified here: a datagram sent from this host or a
 * neighbouring namespace over loopback or veth carries only a partial checksum (checksum
 * offload, {@code CHECKSUM_PARTIAL}) that the kernel's UDP layer knows to trust and a raw
 * socket cannot tell apart from a wrong one; IPv6 raw sockets with {@code IPV6_CHECKSUM}
 * have the kernel verify, which knows. What passes here is STUN, whose FINGERPRINT and
 * MESSAGE-INTEGRITY the ICE agent checks.
 *
 * <p>Every length is checked against the bytes really there before anything is read, so
 * parsing never throws on network input: it returns the {@link RawDrop} reason, or null
 * with the result in a caller-owned {@link Parsed}. Nothing here allocates. Stateless and
 * thread-safe; a {@link Parsed} belongs to one thread.
 */
final class UdpHeaders {
    static final int IPV4_HEADER = 20;
    static final int UDP_HEADER = 8;
    static final int PROTO_UDP = 17;

    private UdpHeaders() {}

    /** Where a parsed datagram's payload is and whom it came from; reused per receive. */
    static final class Parsed {
        /** The source address: 4 bytes (IPv4) or 16 (IPv6) at the front. */
        final byte[] source = new byte[16];
        int sourceLength;
        int sourcePort;
        /** Also set when the parse returned {@link RawDrop#WRONG_PORT}. */
        int destinationPort;
        /** Absolute index of the UDP payload in the parsed buffer. */
        int payloadOffset;
        int payloadLength;
    }

    /**
     * Parses an IPv4 packet (header, UDP header, payload) of {@code len} bytes at {@code off}
     * of {@code pkt} (absolute indexes; position and limit are ignored). Checks version,
     * header length, total length, protocol, that it is no fragment, the UDP length, the
     * destination port and the source port (not 0); not the checksum (see the class comment).
     *
     * @return null when it is a well-formed UDP datagram to {@code port} (then {@code out}
     *     holds it), else why it is dropped
     */
    static RawDrop parseIpv4(ByteBuffer pkt, int off, int len, int port, Parsed out) {
        if (len < IPV4_HEADER + UDP_HEADER) {
            return RawDrop.TOO_SHORT;
        }
        int b0 = pkt.get(off) & 0xff;
        if (b0 >> 4 != 4) {
            return RawDrop.NOT_IPV4;
        }
        int ihl = (b0 & 0x0f) * 4;
        if (ihl < IPV4_HEADER || ihl + UDP_HEADER > len) {
            return RawDrop.BAD_IP_HEADER_LENGTH;
        }
        int total = u16(pkt, off + 2);
        if (total < ihl + UDP_HEADER || total > len) {
            return RawDrop.BAD_IP_TOTAL_LENGTH;
        }
        if ((pkt.get(off + 9) & 0xff) != PROTO_UDP) {
            return RawDrop.NOT_UDP;
        }
        if ((u16(pkt, off + 6) & 0x3fff) != 0) { // MF or a fragment offset: not a whole datagram
            return RawDrop.FRAGMENT;
        }
        int udp = off + ihl;
        int udpLen = u16(pkt, udp + 4);
        if (udpLen < UDP_HEADER || udpLen > total - ihl) {
            return RawDrop.BAD_UDP_LENGTH;
        }
        RawDrop common = udpCommon(pkt, udp, udpLen, port, out);
        if (common != null) {
            return common;
        }
        for (int i = 0; i < 4; i++) {
            out.source[i] = pkt.get(off + 12 + i);
        }
        out.sourceLength = 4;
        return null;
    }

    /**
     * Parses a UDP datagram (header and payload, no IP header: what an AF_INET6 raw socket
     * reads) of {@code len} bytes at {@code off}, from IPv6 address {@code source16}. The
     * kernel has verified the checksum already ({@code IPV6_CHECKSUM} on the socket).
     */
    static RawDrop parseUdp6(ByteBuffer pkt, int off, int len, byte[] source16, int port, Parsed out) {
        if (len < UDP_HEADER) {
            return RawDrop.TOO_SHORT;
        }
        int udpLen = u16(pkt, off + 4);
        if (udpLen < UDP_HEADER || udpLen > len) {
            return RawDrop.BAD_UDP_LENGTH;
        }
        RawDrop common = udpCommon(pkt, off, udpLen, port, out);
        if (common != null) {
            return common;
        }
        System.arraycopy(source16, 0, out.source, 0, 16);
        out.sourceLength = 16;
        return null;
    }

    private static RawDrop udpCommon(ByteBuffer pkt, int udp, int udpLen, int port, Parsed out) {
        int sport = u16(pkt, udp);
        int dport = u16(pkt, udp + 2);
        out.destinationPort = dport;
        if (dport != port) {
            return RawDrop.WRONG_PORT;
        }
        if (sport == 0) {
            return RawDrop.ZERO_SOURCE_PORT;
        }
        out.sourcePort = sport;
        out.payloadOffset = udp + UDP_HEADER;
        out.payloadLength = udpLen - UDP_HEADER;
        return null;
    }

    /**
     * Writes at index 0 of {@code dst} an IPv4 header (no options, DF, TTL 64, id 0 for the
     * kernel to choose, header checksum), a UDP header with its checksum, and the payload
     * ({@code payloadLength} bytes at absolute {@code payloadOffset} of {@code payload}); sets
     * {@code dst}'s position to 0 and its limit to the packet's end.
     *
     * @return the packet's length
     * @throws IllegalArgumentException when the packet would not fit {@code dst} or exceed 65535 bytes
     */
    static int writeIpv4(ByteBuffer dst, byte[] src4, byte[] dst4, int sport, int dport,
            ByteBuffer payload, int payloadOffset, int payloadLength) {
        int udpLen = UDP_HEADER + payloadLength;
        int total = IPV4_HEADER + udpLen;
        if (total > 65535 || total > dst.capacity()) {
            throw new IllegalArgumentException("an IPv4 packet of " + total + " bytes does not fit (buffer "
                    + dst.capacity() + ", IPv4 at most 65535)");
        }
        dst.clear();
        dst.put(0, (byte) 0x45).put(1, (byte) 0).putShort(2, (short) total);
        dst.putShort(4, (short) 0).putShort(6, (short) 0x4000);
        dst.put(8, (byte) 64).put(9, (byte) PROTO_UDP).putShort(10, (short) 0);
        dst.put(12, src4, 0, 4).put(16, dst4, 0, 4);
        dst.putShort(10, (short) ~fold(sum(dst, 0, IPV4_HEADER, 0)));
        writeUdpAt(dst, IPV4_HEADER, sport, dport, payload, payloadOffset, payloadLength);
        int sum = pseudoSum(dst, 12, 4, udpLen);
        dst.putShort(IPV4_HEADER + 6, checksumField(sum(dst, IPV4_HEADER, udpLen, sum)));
        dst.limit(total);
        return total;
    }

    /**
     * Writes at index 0 of {@code dst} a UDP header and the payload for an AF_INET6 raw socket.
     * With {@code src16} and {@code dst16} the checksum is computed over the IPv6 pseudo-header;
     * with {@code src16 == null} it is left 0 for the kernel ({@code IPV6_CHECKSUM}) to fill in
     * with the source address it chooses. Sets position 0 and the limit to the datagram's end.
     *
     * @return the datagram's length
     */
    static int writeUdp6(ByteBuffer dst, byte[] src16, byte[] dst16, int sport, int dport,
            ByteBuffer payload, int payloadOffset, int payloadLength) {
        int udpLen = UDP_HEADER + payloadLength;
        if (udpLen > 65535 || udpLen > dst.capacity()) {
            throw new IllegalArgumentException("a UDP datagram of " + udpLen + " bytes does not fit (buffer "
                    + dst.capacity() + ", UDP at most 65535)");
        }
        dst.clear();
        writeUdpAt(dst, 0, sport, dport, payload, payloadOffset, payloadLength);
        if (src16 != null) {
            int sum = 0;
            for (int i = 0; i < 16; i += 2) {
                sum += ((src16[i] & 0xff) << 8) | (src16[i + 1] & 0xff);
                sum += ((dst16[i] & 0xff) << 8) | (dst16[i + 1] & 0xff);
            }
            sum += PROTO_UDP + udpLen;
            dst.putShort(6, checksumField(sum(dst, 0, udpLen, sum)));
        }
        dst.limit(udpLen);
        return udpLen;
    }

    private static void writeUdpAt(ByteBuffer dst, int at, int sport, int dport, ByteBuffer payload, int payloadOffset,
            int payloadLength) {
        dst.putShort(at, (short) sport).putShort(at + 2, (short) dport)
                .putShort(at + 4, (short) (UDP_HEADER + payloadLength)).putShort(at + 6, (short) 0);
        dst.put(at + UDP_HEADER, payload, payloadOffset, payloadLength);
    }

    /** The UDP checksum field for a segment whose one's-complement sum is {@code sum}: 0 is sent as 0xffff. */
    private static short checksumField(int sum) {
        int c = ~fold(sum) & 0xffff;
        return (short) (c == 0 ? 0xffff : c);
    }

    /** The IPv4 pseudo-header's sum: source and destination at {@code addrAt} (8 bytes), protocol, UDP length. */
    private static int pseudoSum(ByteBuffer b, int addrAt, int addrLen, int udpLen) {
        return sum(b, addrAt, 2 * addrLen, 0) + PROTO_UDP + udpLen;
    }

    /**
     * Adds the 16-bit big-endian words of {@code len} bytes at {@code off} (an odd last byte
     * padded with zero) to {@code acc}; fold with {@link #fold}. At most 65535 bytes.
     */
    static int sum(ByteBuffer b, int off, int len, int acc) {
        long s = acc & 0xffffffffL;
        int end = off + (len & ~1);
        for (int i = off; i < end; i += 2) {
            s += b.getShort(i) & 0xffff;
        }
        if ((len & 1) != 0) {
            s += (b.get(off + len - 1) & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** Folds the carries of a one's-complement sum into 16 bits. */
    static int fold(int sum) {
        long s = sum & 0xffffffffL;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }
}
