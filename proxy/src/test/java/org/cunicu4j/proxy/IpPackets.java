package org.cunicu4j.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Minimal IPv4 packets for tunnel tests over a MemoryTun (checksums are not checked there). */
public final class IpPackets {
    private IpPackets() {}

    public static byte[] ipv4(String src, String dst, int payloadLength, int seed) {
        ByteBuffer b = ByteBuffer.allocate(20 + payloadLength);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payloadLength));
        b.putShort((short) 0).putShort((short) 0);
        b.put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(addr(src)).put(addr(dst));
        for (int i = 0; i < payloadLength; i++) {
            b.put((byte) (seed + i * 7));
        }
        return b.array();
    }

    private static byte[] addr(String a) {
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(a, e);
        }
    }
}
