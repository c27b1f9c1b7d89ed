package org.cunicu4j.wireguard.conn;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;

/**
 * A bounded ring of preallocated slots between a {@link UdpBind}'s receive thread, which
 * copies each foreign datagram in ({@link #offer}), and the sharer's thread, which takes
 * them out in batches through the shared conn's {@code receive}. Nothing is allocated per
 * datagram; a datagram that finds the ring full, or that is longer than a slot, is dropped
 * and reported to the caller.
 *
 * <p>Threading: any thread offers, any thread takes; {@link #close()} wakes takers, which
 * then throw {@link ClosedChannelException}.
 */
final class ForeignQueue {

    /** Bytes per slot: a datagram of ICE's (STUN, TURN ChannelData around a WireGuard packet) fits. */
    static final int SLOT_SIZE = 2048;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ByteBuffer[] data;
    private final int[] lengths;
    private final byte[][] addresses;
    private final int[] addressLengths;
    private final int[] ports;
    private int head;
    private int size;
    private boolean closed;
    private long tooLongForTaker;

    ForeignQueue(int capacity) {
        data = new ByteBuffer[capacity];
        lengths = new int[capacity];
        addresses = new byte[capacity][16];
        addressLengths = new int[capacity];
        ports = new int[capacity];
        ByteBuffer all = ByteBuffer.allocateDirect(capacity * SLOT_SIZE);
        for (int i = 0; i < capacity; i++) {
            data[i] = all.slice(i * SLOT_SIZE, SLOT_SIZE);
        }
    }

    /** The outcome of {@link #offer}. */
    enum Offer { QUEUED, FULL, TOO_LONG, CLOSED }

    /** Copies slot {@code slot} of {@code batch} (position to limit, and its source) into the ring. */
    Offer offer(PacketBatch batch, int slot) {
        ByteBuffer src = batch.buffer(slot);
        int len = src.remaining();
        if (len > SLOT_SIZE) {
            return Offer.TOO_LONG;
        }
        lock.lock();
        try {
            if (closed) {
                return Offer.CLOSED;
            }
            if (size == data.length) {
                return Offer.FULL;
            }
            int i = (head + size) % data.length;
            data[i].put(0, src, src.position(), len);
            lengths[i] = len;
            int alen = batch.addressLength(slot);
            System.arraycopy(batch.addressBytes(slot), 0, addresses[i], 0, alen);
            addressLengths[i] = alen;
            ports[i] = batch.port(slot);
            size++;
            if (size == 1) {
                readable.signal();
            }
            return Offer.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until a datagram is queued, then moves as many as fit into {@code batch}; one
     * longer than the caller's slot is dropped and counted ({@link #tooLongForTaker()}).
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
                    int len = lengths[head];
                    ByteBuffer dst = batch.buffer(n);
                    if (len <= dst.capacity()) {
                        dst.clear().put(0, data[head], 0, len).limit(len);
                        batch.setAddress(n, addresses[head], 0, addressLengths[head], ports[head]);
                        n++;
                    } else {
                        tooLongForTaker++;
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

    /** Datagrams dropped by {@link #take} because the taker's slot was too small. */
    long tooLongForTaker() {
        lock.lock();
        try {
            return tooLongForTaker;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            size = 0;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
