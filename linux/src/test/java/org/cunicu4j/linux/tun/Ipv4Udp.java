package org.cunicu4j.linux.tun;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/** Builds IPv4/UDP packets for tests: valid header checksum, UDP checksum 0 (allowed for IPv4). */
final class Ipv4Udp {
    private Ipv4Udp() {}

    /** Writes the packet into {@code dst} at its position and flips it for writing to a TUN. */
    static ByteBuffer build(ByteBuffer dst, Inet4Address src, Inet4Address to, int srcPort, int dstPort, byte[] payload) {
        int total = 20 + 8 + payload.length;
        dst.clear();
        dst.put((byte) 0x45).put((byte) 0).putShort((short) total);
        dst.putShort((short) 0x1234).putShort((short) 0x4000); // id, DF
        dst.put((byte) 64).put((byte) 17).putShort((short) 0); // TTL, UDP, checksum placeholder
        dst.put(src.getAddress()).put(to.getAddress());
        dst.putShort(10, checksum(dst, 0, 20));
        dst.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        dst.put(payload);
        return dst.flip();
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code off}. */
    static short checksum(ByteBuffer b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += b.getShort(off + i) & 0xffff;
        }
        if ((len & 1) != 0) {
            sum += (b.get(off + len - 1) & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
