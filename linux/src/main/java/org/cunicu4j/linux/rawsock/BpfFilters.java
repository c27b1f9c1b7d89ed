package org.cunicu4j.linux.rawsock;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

/**
 * Ready-made filters for {@link RawSocket}s of protocol {@code IPPROTO_UDP}.
 *
 * <p>Where the filter starts reading differs per family (checked empirically on Linux
 * 6.18 by {@code RawSocketTest}, and in the kernel sources: {@code raw_rcv} pushes
 * the IPv4 header back before {@code sock_queue_rcv_skb} runs the filter, while
 * {@code rawv6_rcv} leaves {@code skb->data} at the transport header):
 * <ul>
 *   <li>AF_INET: offset 0 is the IPv4 header; the UDP header starts at 4 * IHL, found with
 *       {@code ldx msh [0]};
 *   <li>AF_INET6: offset 0 is the UDP header: the filter never sees the IPv6 header (nor
 *       extension headers), just as {@code recvfrom} on such a socket returns no IPv6
 *       header.
 * </ul>
 * The kernel reassembles fragments before raw delivery; the IPv4 filter still drops any
 * non-first fragment so that it never reads a payload as a UDP header.
 */
public final class BpfFilters {
    /** The STUN magic cookie (RFC 8489), bytes 4..7 of every STUN message. */
    public static final int STUN_MAGIC_COOKIE = 0x2112A442;

    private BpfFilters() {}

    /**
     * Accepts UDP datagrams to destination port {@code port} whose payload bytes 4..7 are
     * the STUN magic cookie; drops everything else, including datagrams too short to hold
     * the cookie (a load beyond the packet ends a classic program with 0).
     *
     * @param family {@code AF_INET} or {@code AF_INET6}: the family of the raw socket
     */
    public static BpfProgram stun(int port, int family) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        BpfProgram.Builder b = BpfProgram.builder();
        if (family == AF_INET) {
            b.ldhAbs(6).jset(0x1fff, "drop", null)        // fragment offset != 0: not a UDP header
                    .ldxMsh(0)                             // X = IPv4 header length
                    .ldhInd(2).jeq(port, null, "drop")     // UDP destination port
                    .ldInd(8 + 4);                          // payload bytes 4..7
        } else if (family == AF_INET6) {
            b.ldhAbs(2).jeq(port, null, "drop")            // UDP destination port
                    .ldAbs(8 + 4);                          // payload bytes 4..7
        } else {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6, got " + family);
        }
        return b.jeq(STUN_MAGIC_COOKIE, null, "drop")
                .ret(-1)
                .label("drop").ret(0)
                .build();
    }
}
