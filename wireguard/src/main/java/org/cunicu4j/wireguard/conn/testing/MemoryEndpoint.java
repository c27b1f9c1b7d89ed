package org.cunicu4j.wireguard.conn.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.wireguard.conn.Endpoint;

/**
 * The address of a {@link MemoryBind} on its {@link MemoryNetwork}: {@code mem:<id>}. In a
 * {@link PacketBatch} slot it appears as the IPv4 address {@code 127.x.y.z} (the id's low
 * 24 bits) with port 0, so that code reading raw slot addresses sees something ordinary.
 * Immutable.
 */
public final class MemoryEndpoint implements Endpoint {

    /** Ids are 1 .. 2^24 - 1. */
    static final int MAX_ID = (1 << 24) - 1;

    private final int id;
    private final byte[] raw;
    private final InetSocketAddress address;

    MemoryEndpoint(int id) {
        if (id < 1 || id > MAX_ID) {
            throw new IllegalArgumentException("a memory endpoint id is 1.." + MAX_ID + ", got " + id);
        }
        this.id = id;
        this.raw = rawOf(id);
        try {
            this.address = new InetSocketAddress(InetAddress.getByAddress(raw), 0);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] rawOf(int id) {
        return new byte[] {127, (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
    }

    /** The id in slot {@code slot}'s address, or 0 when it is no memory address. */
    static int idOf(PacketBatch batch, int slot) {
        byte[] a = batch.addressBytes(slot);
        if (batch.addressLength(slot) != 4 || a[0] != 127 || batch.port(slot) != 0) {
            return 0;
        }
        return (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    /**
     * Parses {@code mem:<id>}.
     *
     * @throws IllegalArgumentException naming the text
     */
    public static MemoryEndpoint parse(String text) {
        String s = text.strip();
        if (!s.startsWith("mem:") || s.length() == 4 || s.length() > 12
                || !s.substring(4).chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a memory endpoint: expected mem:<id>, id 1.." + MAX_ID);
        }
        long id = Long.parseLong(s.substring(4));
        if (id < 1 || id > MAX_ID) {
            throw new IllegalArgumentException("'" + text + "' is not a memory endpoint: the id is 1.." + MAX_ID);
        }
        return new MemoryEndpoint((int) id);
    }

    public int id() {
        return id;
    }

    void writeTo(PacketBatch batch, int slot) {
        batch.setAddress(slot, raw, 0, 4, 0);
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public boolean matches(PacketBatch batch, int slot) {
        return idOf(batch, slot) == id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryEndpoint e && e.id == id;
    }

    @Override
    public int hashCode() {
        return id;
    }

    @Override
    public String toString() {
        return "mem:" + id;
    }
}
