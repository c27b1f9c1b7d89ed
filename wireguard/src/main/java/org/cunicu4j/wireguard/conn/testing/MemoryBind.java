package org.cunicu4j.wireguard.conn.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.Endpoint;

/**
 * A {@link Bind} on a {@link MemoryNetwork}: what it sends reaches the Bind at the
 * endpoint's {@code mem:<id>}, which receives it with this Bind's current address as the
 * source. One receive function per {@link #open}, a bounded queue (datagrams beyond it
 * are dropped, like a full socket buffer), {@link #roam()} to change the apparent source,
 * {@link #inject} to deliver arbitrary bytes (a replayed or forged datagram).
 *
 * <p>Threading as {@link Bind}: any number of senders, one receiver per receive function;
 * {@link #close()} wakes it with {@link ClosedChannelException}. Copies every datagram:
 * for tests, not benchmarks.
 */
public final class MemoryBind implements Bind {

    /** Datagrams a Bind queues before it drops. */
    public static final int QUEUE_CAPACITY = 4096;
    /** The port {@link #open} reports for port 0. */
    public static final int DEFAULT_PORT = 51820;

    private final MemoryNetwork network;
    private volatile MemoryEndpoint self;
    private volatile Inbox inbox;
    private volatile int mark;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    MemoryBind(MemoryNetwork network, MemoryEndpoint self) {
        this.network = network;
        this.self = self;
    }

    /** This Bind's current address on its network. */
    public MemoryEndpoint endpoint() {
        return self;
    }

    public MemoryNetwork network() {
        return network;
    }

    /**
     * Moves this Bind to a new address, as a peer that roams: its datagrams come from the
     * new one from now on, and the old one leads nowhere.
     */
    public synchronized MemoryEndpoint roam() {
        self = network.roam(this, self);
        return self;
    }

    /** Delivers {@code datagram} to this Bind as if {@code from} had sent it (no hook). */
    public void inject(MemoryEndpoint from, byte[] datagram) {
        network.deliver(from, self, datagram.clone());
    }

    @Override
    public synchronized Opened open(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        close();
        Inbox in = new Inbox();
        inbox = in;
        return new Opened(List.of(in::receive), port == 0 ? DEFAULT_PORT : port);
    }

    boolean enqueue(MemoryEndpoint from, byte[] data) {
        Inbox in = inbox;
        return in != null && in.offer(from, data);
    }

    @Override
    public void send(PacketBatch batch, Endpoint endpoint) throws IOException {
        if (!(endpoint instanceof MemoryEndpoint to)) {
            throw new IllegalArgumentException("MemoryBind sends to MemoryEndpoints, not to a "
                    + (endpoint == null ? "null endpoint" : endpoint.getClass().getName()));
        }
        if (inbox == null) {
            throw new ClosedChannelException();
        }
        MemoryEndpoint from = self;
        int n = batch.count();
        for (int i = 0; i < n; i++) {
            network.route(from, to, batch.buffer(i));
        }
        sent.addAndGet(n);
    }

    @Override
    public Endpoint parseEndpoint(String text) {
        return MemoryEndpoint.parse(text);
    }

    @Override
    public Endpoint endpointOf(PacketBatch batch, int slot) {
        int id = MemoryEndpoint.idOf(batch, slot);
        if (id == 0) {
            throw new IllegalArgumentException("slot " + slot + " holds no memory address: " + batch.address(slot));
        }
        return new MemoryEndpoint(id);
    }

    @Override
    public void setMark(int mark) {
        this.mark = mark;
    }

    /** The mark last set (nothing uses it in memory). */
    public int mark() {
        return mark;
    }

    @Override
    public int batchSize() {
        return 64;
    }

    /** Datagrams handed to {@link #send}. */
    public long sent() {
        return sent.get();
    }

    /** Datagrams returned by the receive functions. */
    public long received() {
        return received.get();
    }

    @Override
    public synchronized void close() {
        Inbox in = inbox;
        inbox = null;
        if (in != null) {
            in.close();
        }
    }

    @Override
    public String toString() {
        return "MemoryBind[" + self + (inbox == null ? " closed" : "") + "]";
    }

    private record Datagram(MemoryEndpoint from, byte[] data) {}

    /** The queue of one open: closed for good by {@link MemoryBind#close()}. */
    private final class Inbox {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition readable = lock.newCondition();
        private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
        private boolean closed;

        boolean offer(MemoryEndpoint from, byte[] data) {
            lock.lock();
            try {
                if (closed || queue.size() >= QUEUE_CAPACITY) {
                    return false;
                }
                queue.add(new Datagram(from, data));
                readable.signal();
                return true;
            } finally {
                lock.unlock();
            }
        }

        int receive(PacketBatch batch) throws IOException {
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
                        Datagram d = queue.poll();
                        ByteBuffer buf = batch.buffer(n).clear();
                        if (d.data.length > buf.capacity()) {
                            continue; // too long for the slot: dropped, as UDP would
                        }
                        buf.put(d.data).flip();
                        d.from.writeTo(batch, n);
                        n++;
                    }
                }
                batch.setCount(n);
                received.addAndGet(n);
                return n;
            } finally {
                lock.unlock();
            }
        }

        void close() {
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
}
