package org.cunicu4j.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable batch of datagram slots, each a direct buffer plus a peer address, allocated
 * once by its owner and handed to {@link PacketConn#receive} and {@link PacketConn#send}.
 *
 * <p>Addresses are stored as raw bytes (4 for IPv4, 16 for IPv6) and a port so that
 * receiving does not allocate; {@link #address(int)} builds an {@link InetSocketAddress}
 * for callers off the hot path. Not thread-safe: one batch belongs to one thread at a
 * time.
 */
public final class PacketBatch {

    private final ByteBuffer[] buffers;
    private final byte[][] addresses;
    private final int[] addressLengths;
    private final int[] ports;
    private int count;

    /**
     * @param capacity number of slots
     * @param bufferSize size in bytes of each slot's direct buffer
     */
    public PacketBatch(int capacity, int bufferSize) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        if (bufferSize < 1 || bufferSize > 65535) {
            throw new IllegalArgumentException("bufferSize must be 1..65535, got " + bufferSize);
        }
        buffers = new ByteBuffer[capacity];
        addresses = new byte[capacity][16];
        addressLengths = new int[capacity];
        ports = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            buffers[i] = ByteBuffer.allocateDirect(bufferSize);
        }
    }

    public int capacity() {
        return buffers.length;
    }

    /** Number of slots in use: set by {@link PacketConn#receive}, or by the sender. */
    public int count() {
        return count;
    }

    public void setCount(int count) {
        Objects.checkFromToIndex(0, count, buffers.length);
        this.count = count;
    }

    /** The slot's buffer (borrowed: it stays owned by this batch). */
    public ByteBuffer buffer(int slot) {
        return buffers[slot];
    }

    public int port(int slot) {
        return ports[slot];
    }

    /** 4 for IPv4, 16 for IPv6, 0 when the slot has no address. */
    public int addressLength(int slot) {
        return addressLengths[slot];
    }

    /** The slot's raw address bytes (borrowed; only the first {@link #addressLength} count). */
    public byte[] addressBytes(int slot) {
        return addresses[slot];
    }

    /** Sets the slot's address from raw bytes (length 4 or 16) and a port, without allocating. */
    public void setAddress(int slot, byte[] addr, int offset, int length, int port) {
        if (length != 4 && length != 16) {
            throw new IllegalArgumentException("address length must be 4 or 16, got " + length);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        System.arraycopy(addr, offset, addresses[slot], 0, length);
        addressLengths[slot] = length;
        ports[slot] = port;
    }

    public void setAddress(int slot, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        byte[] raw = ip.getAddress();
        setAddress(slot, raw, 0, raw.length, address.getPort());
    }

    /** Copies the address of {@code fromSlot} into {@code to}'s {@code toSlot}. */
    public void copyAddress(int fromSlot, PacketBatch to, int toSlot) {
        to.setAddress(toSlot, addresses[fromSlot], 0, addressLengths[fromSlot], ports[fromSlot]);
    }

    /** True when the slot holds {@code address}; does not allocate. */
    public boolean addressEquals(int slot, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null || address.getPort() != ports[slot]) {
            return false;
        }
        int len = ip instanceof Inet4Address ? 4 : 16;
        return len == addressLengths[slot]
                && Arrays.equals(addresses[slot], 0, len, ip.getAddress(), 0, len);
    }

    /** The slot's address as an object (allocates: for the control plane, not per packet). */
    public InetSocketAddress address(int slot) {
        int len = addressLengths[slot];
        if (len == 0) {
            return null;
        }
        try {
            byte[] raw = Arrays.copyOf(addresses[slot], len);
            InetAddress ip = len == 4 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, (java.net.NetworkInterface) null);
            return new InetSocketAddress(ip, ports[slot]);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes always form an address", e);
        }
    }
}
