package org.cunicu4j.wireguard.tun;

import java.nio.ByteBuffer;

/**
 * Turns what a TUN with {@code IFF_VNET_HDR} and TSO/checksum offload hands out (a 10-byte
 * {@code virtio_net_hdr}, then one packet of up to 64 KB) into ordinary IP packets: a TCP
 * super-packet is cut into {@code gso_size} segments, each with its own IP length, IPv4 id
 * and header checksum, TCP sequence number, flags and full TCP checksum; a packet whose
 * checksum was left to "the hardware" gets it computed. No allocation.
 *
 * <p>Not thread-safe: one per reading thread; it keeps the position inside a super-packet
 * whose segments did not all fit the caller's buffers.
 */
final class TsoSegmenter {
    static final int VNET_HDR_LEN = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;

    /** The super-packet being segmented (vnet header at 0) and where we are in it. */
    private ByteBuffer src;
    private int srcLen;
    private int nextSegment;
    private int segments;
    /** Packets that could not be parsed (counted by the caller through {@link #malformed()}). */
    private volatile long malformed; // one writer (the reading thread), read by counters()

    /** True while segments of the last super-packet are still to be handed out. */
    boolean pending() {
        return src != null;
    }

    long malformed() {
        return malformed;
    }

    /**
     * Starts on a buffer read from the TUN: {@code buf[0..len)} holds the vnet header and the
     * packet. The buffer is borrowed until {@link #pending()} turns false.
     */
    void start(ByteBuffer buf, int len) {
        src = buf;
        srcLen = len;
        nextSegment = 0;
        segments = -1;
    }

    /**
     * Writes up to {@code max} packets into {@code out[i]} from their positions (limit set to
     * the packet's end, position unchanged) and returns how many.
     */
    int drain(ByteBuffer[] out, int max) {
        ByteBuffer b = src;
        int len = srcLen;
        if (len < VNET_HDR_LEN + 20) {
            return fail();
        }
        int flags = b.get(0) & 0xff;
        int gsoType = b.get(1) & 0x7f;
        int gsoSize = le16(b, 4);
        int csumStart = le16(b, 6);
        int csumOffset = le16(b, 8);
        int p = VNET_HDR_LEN;
        int plen = len - p;
        if (gsoType == GSO_NONE) {
            ByteBuffer o = out[0];
            int pos = o.position();
            if (o.capacity() - pos < plen) {
                return fail();
            }
            o.limit(o.capacity());
            o.put(pos, b, p, plen);
            if ((flags & F_NEEDS_CSUM) != 0) {
                int start = pos + csumStart;
                int field = start + csumOffset;
                if (field + 2 > pos + plen) {
                    return fail();
                }
                int sum = fold(sum(o, start, pos + plen - start));
                o.putShort(field, (short) ~sum);
            }
            o.limit(pos + plen).position(pos);
            src = null;
            return 1;
        }
        if (gsoType != GSO_TCPV4 && gsoType != GSO_TCPV6 || gsoSize == 0) {
            return fail();
        }
        boolean v4 = gsoType == GSO_TCPV4;
        int ipLen;
        if (v4) {
            if ((b.get(p) >> 4 & 15) != 4) {
                return fail();
            }
            ipLen = (b.get(p) & 15) * 4;
            if (ipLen < 20 || plen < ipLen || (b.getShort(p + 2) & 0xffff) != plen) {
                return fail(); // IHL below 5, or a total length that is not the packet's
            }
        } else {
            if ((b.get(p) >> 4 & 15) != 6 || b.get(p + 6) != 6) {
                return fail();
            }
            ipLen = 40;
        }
        if (plen < ipLen + 20) {
            return fail();
        }
        int tcpLen = ((b.get(p + ipLen + 12) >> 4) & 15) * 4;
        int hLen = ipLen + tcpLen;
        if (tcpLen < 20 || plen < hLen) {
            return fail();
        }
        int payload = plen - hLen;
        if (segments < 0) {
            segments = Math.max(1, (payload + gsoSize - 1) / gsoSize);
        }
        int seq0 = b.getInt(p + ipLen + 4);
        int id0 = v4 ? (b.getShort(p + 4) & 0xffff) : 0;
        int tcpFlags = b.get(p + ipLen + 13) & 0xff;
        int n = 0;
        while (n < max && nextSegment < segments) {
            int i = nextSegment++;
            int off = i * gsoSize;
            int segLen = Math.min(gsoSize, payload - off);
            ByteBuffer o = out[n];
            int pos = o.position();
            if (o.capacity() - pos < hLen + segLen) {
                return fail();
            }
            o.limit(o.capacity());
            o.put(pos, b, p, hLen);
            o.put(pos + hLen, b, p + hLen + off, segLen);
            int t = pos + ipLen;
            if (v4) {
                o.putShort(pos + 2, (short) (hLen + segLen));
                o.putShort(pos + 4, (short) (id0 + i));
                o.putShort(pos + 10, (short) 0);
                o.putShort(pos + 10, (short) ~fold(sum(o, pos, ipLen)));
            } else {
                o.putShort(pos + 4, (short) (tcpLen + segLen));
            }
            o.putInt(t + 4, seq0 + off);
            int f = tcpFlags;
            if (i != segments - 1) {
                f &= ~(0x01 | 0x08); // FIN and PSH only on the last segment
            }
            if (i != 0) {
                f &= ~0x80; // CWR only on the first
            }
            o.put(t + 13, (byte) f);
            o.putShort(t + 16, (short) 0);
            long s = sum(o, t, tcpLen + segLen) + (tcpLen + segLen) + 6;
            s += v4 ? sum(o, pos + 12, 8) : sum(o, pos + 8, 32);
            o.putShort(t + 16, (short) ~fold(s));
            o.limit(pos + hLen + segLen).position(pos);
            n++;
        }
        if (nextSegment >= segments) {
            src = null;
        }
        return n;
    }

    private int fail() {
        malformed++;
        src = null;
        return 0;
    }

    private static int le16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
    }

    /** The one's complement sum (unfolded) of {@code len} bytes at absolute {@code at}, big-endian words. */
    static long sum(ByteBuffer b, int at, int len) {
        long s = 0;
        long s2 = 0;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long w = b.getLong(at + i);
            s += w >>> 32;
            s2 += w & 0xffffffffL;
        }
        s += s2;
        for (; i + 4 <= len; i += 4) {
            s += b.getInt(at + i) & 0xffffffffL;
        }
        if (i + 2 <= len) {
            s += (long) (b.getShort(at + i) & 0xffff) << 16;
            i += 2;
        }
        if (i < len) {
            s += (long) (b.get(at + i) & 0xff) << (i % 4 == 0 ? 24 : 8);
        }
        return s;
    }

    /** Folds a sum of 32-bit big-endian words into 16 bits. */
    static int fold(long s) {
        s = (s & 0xffffffffL) + (s >>> 32);
        s = (s & 0xffffffffL) + (s >>> 32);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }
}
