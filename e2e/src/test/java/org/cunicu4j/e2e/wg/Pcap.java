package org.cunicu4j.e2e.wg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the UDP payloads of IPv4 packets from a tcpdump capture (pcap, Ethernet link type). */
final class Pcap {
    private static final int ETHERNET = 1;

    private Pcap() {}

    static List<byte[]> udpPayloads(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        if (b.getInt(20) != ETHERNET) {
            throw new IOException(file + ": link type " + b.getInt(20) + ", expected Ethernet (1)");
        }
        List<byte[]> out = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            int caplen = b.getInt(pos + 8);
            int frame = pos + 16;
            pos = frame + caplen;
            if (pos > b.limit() || caplen < 14 + 20 + 8 || (b.getShort(frame + 12) & 0xffff) != 0x0800) {
                continue;
            }
            int ip = frame + 14;
            int ihl = (b.get(ip) & 0x0f) * 4;
            if (b.get(ip + 9) != 17) {
                continue;
            }
            int udp = ip + ihl;
            int len = (b.getShort(udp + 4) & 0xffff) - 8;
            out.add(Arrays.copyOfRange(b.array(), udp + 8, udp + 8 + len));
        }
        return out;
    }
}
