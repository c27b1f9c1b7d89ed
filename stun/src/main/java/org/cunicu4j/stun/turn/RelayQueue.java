package org.cunicu4j.stun.turn;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;

/**
 * The bounded hand-off between an allocation's reader thread (which decodes Data
 * indications and ChannelData from the server) and the threads that call
 * {@link Allocation#receive}: a ring of slots allocated once, so relayed datagrams are
 * copied twice (into the ring, out to the caller's batch) but never allocate. A full ring
 * drops the newest datagram and counts it. Thread-safe.
 */
final class RelayQueue {
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

    RelayQueue(int slots, int slotSize) {
        data = new ByteBuffer[slots];
        addresses = new byte[slots][16];
        addressLengths = new int[slots];
        ports = new int[slots];
        for (int i = 0; i < slots; i++) {
            data[i] = ByteBuffer.allocateDirect(slotSize);
        }
    }

    /** Copies {@code src[offset, offset+length)} from {@code addr}:{@code port}; false if dropped. */
    boolean offer(ByteBuffer src, int offset, int length, byte[] addr, int addrLen, int port) {
        lock.lock();
        try {
            if (closed || size == data.length) {
                dropped++;
                return false;
            }
            int slot = (head + size) % data.length;
            ByteBuffer b = data[slot];
            if (length > b.capacity()) {
                tooBig++;
                return false;
            }
            b.clear().put(0, src, offset, length).limit(length);
            System.arraycopy(addr, 0, addresses[slot], 0, addrLen);
            addressLengths[slot] = addrLen;
            ports[slot] = port;
            size++;
            readable.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until at least one datagram is queued, then moves as many as fit into
     * {@code batch}; a datagram larger than the caller's slot is dropped and counted.
     */
    int take(PacketBatch batch) throws ClosedChannelException {
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
    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Datagrams dropped because they did not fit a slot. */
    long tooBig() {
        lock.lock();
        try {
            return tooBig;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
