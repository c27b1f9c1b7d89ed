package org.cunicu4j.net;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded hand-off of datagrams between a reader thread that demultiplexes a socket
 * (a TURN allocation's reader, a UdpMux, a Bind sharing its socket) and the threads that
 * call some {@link PacketConn#receive}: a ring of slots allocated once, so datagrams are
 * copied twice (into the ring, out to the caller's batch) but nothing is allocated per
 * datagram. A full ring drops the newest datagram; every drop is counted by its reason.
 * Thread-safe: one lock, held only for the copies.
 */
public final class PacketQueue {

    /** What became of an offered datagram. */
    public enum Offer {
        /** Queued. */
        ACCEPTED,
        /** Dropped: the ring was full. */
        FULL,
        /** Dropped: longer than a slot. */
        TOO_LONG,
        /** Dropped: the queue is closed. */
        CLOSED
    }

    private final ByteBuffer[] data;
    private final byte[][] addresses;
    private final int[] addressLengths;
    private final int[] ports;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private int head;
    private int size;
    private boolean closed;
    private long dropped;
    private long tooBig;

    /** A ring of {@code slots} datagrams of at most {@code slotSize} bytes each. */
    public PacketQueue(int slots, int slotSize) {
        if (slots < 1 || slotSize < 1) {
            throw new IllegalArgumentException("a packet queue needs at least one slot of at least one byte, not " + slots + " x " + slotSize);
        }
        data = new ByteBuffer[slots];
        addresses = new byte[slots][16];
        addressLengths = new int[slots];
        ports = new int[slots];
        for (int i = 0; i < slots; i++) {
            data[i] = ByteBuffer.allocateDirect(slotSize);
        }
    }

    /**
     * Copies {@code src[offset, offset+length)} (absolute indices; the buffer's position is
     * not used or moved) from {@code addr}:{@code port} into the ring.
     */
    public Offer offer(ByteBuffer src, int offset, int length, byte[] addr, int addrLen, int port) {
        lock.lock();
        try {
            if (closed) {
                dropped++;
                return Offer.CLOSED;
            }
            if (size == data.length) {
                dropped++;
                return Offer.FULL;
            }
            int slot = (head + size) % data.length;
            ByteBuffer b = data[slot];
            if (length > b.capacity()) {
                tooBig++;
                return Offer.TOO_LONG;
            }
            b.clear().put(0, src, offset, length).limit(length);
            System.arraycopy(addr, 0, addresses[slot], 0, addrLen);
            addressLengths[slot] = addrLen;
            ports[slot] = port;
            size++;
            readable.signal();
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until at least one datagram is queued, then moves as many as fit into
     * {@code batch}; a datagram larger than the caller's slot is dropped and counted.
     *
     * @throws ClosedChannelException once the queue is closed (queued datagrams are discarded)
     */
    public int take(PacketBatch batch) throws ClosedChannelException {
        lock.lock();
        try {
            while (true) {
                while (size == 0 && !closed) {
                    readable.awaitUninterruptibly();
                }
                if (closed) {
                    throw new ClosedChannelException();
                }
                int n = 0;
                while (n < batch.capacity() && size > 0) {
                    ByteBuffer b = data[head];
                    ByteBuffer out = batch.buffer(n).clear();
                    if (b.limit() > out.capacity()) {
                        tooBig++;
                    } else {
                        out.put(0, b, 0, b.limit()).limit(b.limit());
                        batch.setAddress(n, addresses[head], 0, addressLengths[head], ports[head]);
                        n++;
                    }
                    head = (head + 1) % data.length;
                    size--;
                }
                if (n > 0) {
                    batch.setCount(n);
                    return n;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Datagrams dropped because the ring was full (or closed). */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Datagrams dropped because they did not fit a slot (of the ring, or of the taker's batch). */
    public long tooBig() {
        lock.lock();
        try {
            return tooBig;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes and fails every taker, now and later; later offers are dropped. Idempotent. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
