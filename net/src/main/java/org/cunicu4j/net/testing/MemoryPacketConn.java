package org.cunicu4j.net.testing;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * An in-memory {@link PacketConn}, one end of a {@link #pair connected pair}: what one end
 * sends, the other receives, with the sender's address as source. For tests of the layers
 * above {@code net} that need no real network.
 *
 * <p>It behaves like a lossless UDP link with a bounded receive queue: a datagram is
 * dropped (and counted in {@link #dropped()}) when it is addressed to anything other than
 * the peer, when the peer's queue is full, or when the peer is closed. A datagram larger
 * than the receiving slot's buffer is dropped by the receiver and counted in
 * {@link #truncatedDrops()}, as {@code UdpPacketConn} does. Datagrams are
 * copied on send (this double allocates per packet; it is not for benchmarks).
 *
 * <p>Threading: any number of threads may send and receive; {@link #close()} may be called
 * from any thread and wakes every thread blocked in {@link #receive}.
 */
public final class MemoryPacketConn implements PacketConn {

    /** Receive queue capacity of {@link #pair(InetSocketAddress, InetSocketAddress)}. */
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;

    private final InetSocketAddress local;
    private final byte[] localRaw;
    private final int queueCapacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong truncatedDrops = new AtomicLong();
    private boolean closed;
    private MemoryPacketConn peer;

    private MemoryPacketConn(InetSocketAddress local, int queueCapacity) {
        this.local = local;
        this.localRaw = local.getAddress().getAddress();
        this.queueCapacity = queueCapacity;
    }

    /** Two connected ends with the default queue capacity. */
    public static MemoryPacketConn[] pair(InetSocketAddress addrA, InetSocketAddress addrB) {
        return pair(addrA, addrB, DEFAULT_QUEUE_CAPACITY);
    }

    /**
     * Two connected ends: index 0 is bound to {@code addrA}, index 1 to {@code addrB}.
     *
     * @param queueCapacity datagrams each end holds before it drops new ones
     */
    public static MemoryPacketConn[] pair(InetSocketAddress addrA, InetSocketAddress addrB, int queueCapacity) {
        requireResolved(addrA);
        requireResolved(addrB);
        if (addrA.equals(addrB)) {
            throw new IllegalArgumentException("the two ends need different addresses, both are " + addrA);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
        }
        MemoryPacketConn a = new MemoryPacketConn(addrA, queueCapacity);
        MemoryPacketConn b = new MemoryPacketConn(addrB, queueCapacity);
        a.peer = b;
        b.peer = a;
        return new MemoryPacketConn[] {a, b};
    }

    private static void requireResolved(InetSocketAddress addr) {
        Objects.requireNonNull(addr, "address");
        if (addr.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + addr);
        }
    }

    @Override
    public int receive(PacketBatch batch) throws ClosedChannelException {
        lock.lock();
        try {
            int n = 0;
            while (n == 0) {
                while (queue.isEmpty() && !closed) {
                    readable.awaitUninterruptibly();
                }
                if (closed) {
                    throw new ClosedChannelException();
                }
                while (n < batch.capacity() && !queue.isEmpty()) {
                    byte[] datagram = queue.poll();
                    ByteBuffer buf = batch.buffer(n).clear();
                    if (datagram.length > buf.capacity()) {
                        truncatedDrops.incrementAndGet();
                        continue;
                    }
                    buf.put(datagram).flip();
                    batch.setAddress(n, peer.localRaw, 0, peer.localRaw.length, peer.local.getPort());
                    n++;
                }
            }
            batch.setCount(n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int send(PacketBatch batch) throws ClosedChannelException {
        if (isClosed()) {
            throw new ClosedChannelException();
        }
        int n = batch.count();
        for (int i = 0; i < n; i++) {
            if (batch.addressEquals(i, peer.local)) {
                ByteBuffer buf = batch.buffer(i);
                byte[] datagram = new byte[buf.remaining()];
                buf.get(buf.position(), datagram);
                if (!peer.offer(datagram)) {
                    dropped.incrementAndGet();
                }
            } else {
                dropped.incrementAndGet();
            }
        }
        return n;
    }

    private boolean offer(byte[] datagram) {
        lock.lock();
        try {
            if (closed || queue.size() >= queueCapacity) {
                return false;
            }
            queue.add(datagram);
            readable.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Datagrams this end sent that were not delivered (wrong address, peer full or closed). */
    public long dropped() {
        return dropped.get();
    }

    /** Datagrams that reached this end but did not fit the receiving slot, and were dropped. */
    public long truncatedDrops() {
        return truncatedDrops.get();
    }

    /** The other end. */
    public MemoryPacketConn peer() {
        return peer;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Idempotent; drops what is queued and wakes blocked receivers, which then throw. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
