package org.cunicu4j.ice.mux;

import java.net.InetSocketAddress;
import org.cunicu4j.net.PacketBatch;

/**
 * A remote transport address (IPv4 or IPv6 plus port) as a hash key that can be filled
 * from a {@link PacketBatch} slot without allocating: the mux keeps one mutable probe per
 * thread for look-ups and stores {@link #copy() copies}. Not thread-safe while mutable.
 */
final class AddressKey {
    private long hi;
    private long lo;
    private int port;
    private int length;
    private int hash;

    /** Fills this key from {@code batch}'s {@code slot}; returns this. */
    AddressKey set(PacketBatch batch, int slot) {
        return set(batch.addressBytes(slot), batch.addressLength(slot), batch.port(slot));
    }

    AddressKey set(byte[] addr, int len, int port) {
        long h = 0;
        long l = 0;
        if (len == 4) {
            l = readInt(addr, 0) & 0xFFFF_FFFFL;
        } else if (len == 16) {
            h = readLong(addr, 0);
            l = readLong(addr, 8);
        }
        this.hi = h;
        this.lo = l;
        this.port = port;
        this.length = len;
        long x = h * 0x9E37_79B9_7F4A_7C15L ^ l * 0xC2B2_AE3D_27D4_EB4FL ^ ((long) port << 8 | len);
        x ^= x >>> 31;
        this.hash = (int) (x ^ x >>> 32);
        return this;
    }

    static AddressKey of(InetSocketAddress address) {
        byte[] raw = address.getAddress().getAddress();
        return new AddressKey().set(raw, raw.length, address.getPort());
    }

    AddressKey copy() {
        AddressKey k = new AddressKey();
        k.hi = hi;
        k.lo = lo;
        k.port = port;
        k.length = length;
        k.hash = hash;
        return k;
    }

    boolean isEmpty() {
        return length == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressKey k && k.lo == lo && k.hi == hi && k.port == port && k.length == length;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        byte[] raw = new byte[length];
        for (int i = 0; i < length; i++) {
            raw[i] = (byte) (length == 4 ? lo >>> (24 - 8 * i) : (i < 8 ? hi >>> (56 - 8 * i) : lo >>> (56 - 8 * (i - 8))));
        }
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(raw), port).toString();
        } catch (java.net.UnknownHostException e) {
            return "?:" + port;
        }
    }

    private static int readInt(byte[] a, int i) {
        return (a[i] & 0xFF) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }

    private static long readLong(byte[] a, int i) {
        return (long) readInt(a, i) << 32 | (readInt(a, i + 4) & 0xFFFF_FFFFL);
    }
}
