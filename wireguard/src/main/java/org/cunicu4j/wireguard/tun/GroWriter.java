package org.cunicu4j.wireguard.tun;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The receive-side counterpart of {@link TsoSegmenter} for a {@link VnetTun}: consecutive
 * TCP segments of one flow (same addresses, ports, ack, window, header and options, sequence
 * numbers in order, equal sizes but for a shorter last one, only ACK/PSH flags, a TCP checksum
 * that verifies, since the kernel does not check a joined one again) are joined
 * into one super-packet written with a GSO vnet header, so the kernel takes a whole batch in
 * one write and one pass of its TCP stack. Anything else is written as it is. No allocation.
 *
 * <p>Not thread-safe: one per writing thread.
 */
final class GroWriter implements TunWriter {
    private static final int HDR = TsoSegmenter.VNET_HDR_LEN;
    private static final int MAX_IP = 65535;

    /** Where packets go: a plain write (headroom before the position) and a raw one (vnet header included). */
    interface Sink {
        boolean write(ByteBuffer packet) throws IOException;

        boolean writeRaw(ByteBuffer headerAndPacket) throws IOException;
    }

    private final Sink tun;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(HDR + MAX_IP + 64);
    private int count;
    private int len; // bytes of the IP packet at buf[HDR..]
    private boolean v4;
    private int ipLen;
    private int tcpLen;
    private int segSize;
    private int lastSegSize;
    private int nextSeq;
    private boolean pushed;

    GroWriter(Sink tun) {
        this.tun = tun;
    }

    @Override
    public boolean write(ByteBuffer p) throws IOException {
        int pos = p.position();
        int plen = p.remaining();
        if (count > 0 && appendable(p, pos, plen)) {
            int payload = plen - ipLen - tcpLen;
            buf.put(HDR + len, p, pos + ipLen + tcpLen, payload);
            len += payload;
            nextSeq += payload;
            lastSegSize = payload;
            pushed = (p.get(pos + ipLen + 13) & 0x08) != 0;
            count++;
            return true;
        }
        boolean ok = flush();
        if (startable(p, pos, plen)) {
            buf.put(HDR, p, pos, plen);
            len = plen;
            count = 1;
            segSize = plen - ipLen - tcpLen;
            lastSegSize = segSize;
            nextSeq = p.getInt(pos + ipLen + 4) + segSize;
            pushed = (p.get(pos + ipLen + 13) & 0x08) != 0;
            return ok;
        }
        return tun.write(p) && ok;
    }

    /** A TCP segment with data, no IP options or fragments, flags ACK or ACK|PSH; sets v4/ipLen/tcpLen. */
    private boolean startable(ByteBuffer p, int pos, int plen) {
        if (plen < 40) {
            return false;
        }
        int ver = (p.get(pos) >> 4) & 15;
        if (ver == 4) {
            if (p.get(pos) != 0x45 || p.get(pos + 9) != 6 || (p.getShort(pos + 6) & 0x3fff) != 0
                    || (p.getShort(pos + 2) & 0xffff) != plen) {
                return false;
            }
            v4 = true;
            ipLen = 20;
        } else if (ver == 6) {
            if (plen < 60 || p.get(pos + 6) != 6 || (p.getShort(pos + 4) & 0xffff) + 40 != plen) {
                return false;
            }
            v4 = false;
            ipLen = 40;
        } else {
            return false;
        }
        int flags = p.get(pos + ipLen + 13) & 0xff;
        tcpLen = ((p.get(pos + ipLen + 12) >> 4) & 15) * 4;
        return (flags == 0x10 || flags == 0x18) && tcpLen >= 20 && plen > ipLen + tcpLen
                && checksumOk(p, pos, plen);
    }

    /** The segment's TCP checksum verifies (with the pseudo-header of the current {@code v4}/{@code ipLen}). */
    private boolean checksumOk(ByteBuffer p, int pos, int plen) {
        int tcpTotal = plen - ipLen;
        long s = TsoSegmenter.sum(p, pos + ipLen, tcpTotal) + tcpTotal + 6
                + (v4 ? TsoSegmenter.sum(p, pos + 12, 8) : TsoSegmenter.sum(p, pos + 8, 32));
        return TsoSegmenter.fold(s) == 0xffff;
    }

    private boolean appendable(ByteBuffer p, int pos, int plen) {
        if (pushed || lastSegSize != segSize) {
            return false;
        }
        int payload = plen - ipLen - tcpLen;
        if (payload <= 0 || payload > segSize || len + payload > MAX_IP) {
            return false;
        }
        int b = HDR;
        if (v4) {
            if (p.get(pos) != 0x45 || p.get(pos + 9) != 6 || (p.getShort(pos + 6) & 0x3fff) != 0
                    || (p.getShort(pos + 2) & 0xffff) != plen
                    || p.get(pos + 1) != buf.get(b + 1) || p.get(pos + 8) != buf.get(b + 8)
                    || p.getLong(pos + 12) != buf.getLong(b + 12)) {
                return false;
            }
        } else {
            if (((p.get(pos) >> 4) & 15) != 6 || p.get(pos + 6) != 6 || (p.getShort(pos + 4) & 0xffff) + 40 != plen
                    || p.getInt(pos) != buf.getInt(b) || p.get(pos + 7) != buf.get(b + 7)
                    || !same(p, pos + 8, b + 8, 32)) {
                return false;
            }
        }
        int t = pos + ipLen;
        int bt = b + ipLen;
        int flags = p.get(t + 13) & 0xff;
        return (flags == 0x10 || flags == 0x18)
                && ((p.get(t + 12) >> 4) & 15) * 4 == tcpLen
                && p.getInt(t) == buf.getInt(bt) // ports
                && p.getInt(t + 4) == nextSeq
                && p.getInt(t + 8) == buf.getInt(bt + 8) // ack
                && p.getShort(t + 14) == buf.getShort(bt + 14) // window
                && same(p, t + 20, bt + 20, tcpLen - 20) // options
                && checksumOk(p, pos, plen);
    }

    private boolean same(ByteBuffer p, int at, int bat, int n) {
        for (int i = 0; i < n; i++) {
            if (p.get(at + i) != buf.get(bat + i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean flush() throws IOException {
        int n = count;
        count = 0;
        if (n == 0) {
            return true;
        }
        int b = HDR;
        for (int i = 0; i < HDR; i++) {
            buf.put(i, (byte) 0);
        }
        if (n == 1) {
            buf.limit(HDR + len).position(HDR);
            boolean ok = tun.write(buf);
            buf.clear();
            return ok;
        }
        int t = b + ipLen;
        if (pushed) {
            buf.put(t + 13, (byte) (buf.get(t + 13) | 0x08));
        }
        int tcpTotal = len - ipLen;
        if (v4) {
            buf.putShort(b + 2, (short) len);
            buf.putShort(b + 10, (short) 0);
            buf.putShort(b + 10, (short) ~TsoSegmenter.fold(TsoSegmenter.sum(buf, b, 20)));
        } else {
            buf.putShort(b + 4, (short) tcpTotal);
        }
        // CHECKSUM_PARTIAL: the field holds the pseudo-header sum, the kernel (or nobody, for local delivery) adds the rest
        long ps = (v4 ? TsoSegmenter.sum(buf, b + 12, 8) : TsoSegmenter.sum(buf, b + 8, 32)) + tcpTotal + 6;
        buf.putShort(t + 16, (short) TsoSegmenter.fold(ps));
        buf.put(0, (byte) TsoSegmenter.F_NEEDS_CSUM);
        buf.put(1, (byte) (v4 ? TsoSegmenter.GSO_TCPV4 : TsoSegmenter.GSO_TCPV6));
        putLe16(2, ipLen + tcpLen);
        putLe16(4, segSize);
        putLe16(6, ipLen);
        putLe16(8, 16);
        buf.limit(HDR + len).position(0);
        boolean ok = tun.writeRaw(buf);
        buf.clear();
        return ok;
    }

    private void putLe16(int at, int v) {
        buf.put(at, (byte) v);
        buf.put(at + 1, (byte) (v >>> 8));
    }

    /** Segments joined so far (tests). */
    int pendingSegments() {
        return count;
    }
}
