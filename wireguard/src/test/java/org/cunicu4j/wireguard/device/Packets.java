package org.cunicu4j.wireguard.device;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Minimal IPv4/IPv6 packets for device tests (checksums are not checked on this path). */
final class Packets {
    private Packets() {}

    static byte[] ipv4(String src, String dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length));
        b.putShort((short) 0).putShort((short) 0);
        b.put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(addr(src)).put(addr(dst)).put(payload);
        return b.array();
    }

    static byte[] ipv6(String src, String dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x60000000).putShort((short) payload.length).put((byte) 17).put((byte) 64);
        b.put(addr(src)).put(addr(dst)).put(payload);
        return b.array();
    }

    static byte[] payload(int n, int seed) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (seed + i * 7);
        }
        return p;
    }

    static byte[] addr(String a) {
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(a, e);
        }
    }
}
