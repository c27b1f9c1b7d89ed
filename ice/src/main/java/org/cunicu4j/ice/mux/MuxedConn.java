package org.cunicu4j.ice.mux;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * One agent's view of a {@link UdpMux}: {@link #receive} takes what the mux routed to this
 * agent's username fragment from a bounded queue of its own; {@link #send} goes out on the
 * shared socket and claims each destination for this conn, so that the answers (STUN
 * responses without USERNAME, data) come back here. {@link #close()} unregisters the
 * fragment and every claimed address.
 *
 * <p>The queue is a ring of {@code queueCapacity} slots whose byte arrays are made on
 * first use and then reused: routing a datagram here copies it once and allocates
 * nothing in steady state. When the ring is full the datagram is dropped and counted
 * ({@link #queueDrops()}); a datagram larger than the ring slot, or than the receiving
 * batch's buffer, is dropped and counted ({@link #truncatedDrops()}).
 *
 * <p>Threading: one thread receives while any number send; the mux's reader fills the
 * queue; {@link #close()} from any thread wakes a blocked receiver, which then throws
 * {@link ClosedChannelException}.
 */
public final class MuxedConn implements PacketConn {
    private final UdpMux mux;
    private volatile String ufrag; // written under the mux's registration lock
    private final int slotSize;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final byte[][] data;
    private final int[] lengths;
    private final byte[][] addresses;
    private final int[] addressLengths;
    private final int[] ports;
    private int head; // guarded by lock
    private int size; // guarded by lock
    private volatile boolean closed;
    private final LongAdder queueDrops = new LongAdder();
    private final LongAdder truncatedDrops = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    /** Remote addresses routed to this conn, so that close can release them. */
    final Set<AddressKey> claimed = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<AddressKey> sendProbe = ThreadLocal.withInitial(AddressKey::new);

    MuxedConn(UdpMux mux, String ufrag, int queueCapacity, int slotSize) {
        this.mux = mux;
        this.ufrag = ufrag;
        this.slotSize = slotSize;
        this.data = new byte[queueCapacity][];
        this.lengths = new int[queueCapacity];
        this.addresses = new byte[queueCapacity][16];
        this.addressLengths = new int[queueCapacity];
        this.ports = new int[queueCapacity];
    }

    /** The local username fragment this conn is registered under. */
    public String ufrag() {
        return ufrag;
    }

    /**
     * Registers this conn under {@code newUfrag} instead (an ICE restart gives the agent new
     * credentials but keeps its bases): binding requests naming the old fragment are no
     * longer routed here; the claimed remote addresses stay.
     *
     * @throws IllegalStateException when this conn or its mux is closed, or another open conn has {@code newUfrag}
     */
    public void rename(String newUfrag) {
        mux.rename(this, newUfrag);
    }

    void setUfrag(String newUfrag) {
        this.ufrag = newUfrag;
    }

    /** The mux this conn belongs to. */
    public UdpMux mux() {
        return mux;
    }

    /** Datagrams routed here but dropped because the queue was full. */
    public long queueDrops() {
        return queueDrops.sum();
    }

    /** Datagrams dropped because they did not fit a queue slot or the receiving batch's buffer. */
    public long truncatedDrops() {
        return truncatedDrops.sum();
    }

    /** Datagrams handed to {@link #receive}. */
    public long delivered() {
        return delivered.sum();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Called by the mux: copies the slot into the queue; false when it was dropped. */
    boolean offer(PacketBatch batch, int slot) {
        ByteBuffer src = batch.buffer(slot);
        int len = src.remaining();
        if (len > slotSize) {
            truncatedDrops.increment();
            return false;
        }
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (size == data.length) {
                queueDrops.increment();
                return false;
            }
            int i = (head + size) % data.length;
            byte[] d = data[i];
            if (d == null) {
                d = data[i] = new byte[slotSize];
            }
            src.get(src.position(), d, 0, len);
            lengths[i] = len;
            int alen = batch.addressLength(slot);
            System.arraycopy(batch.addressBytes(slot), 0, addresses[i], 0, alen);
            addressLengths[i] = alen;
            ports[i] = batch.port(slot);
            size++;
            readable.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        lock.lock();
        try {
            int n = 0;
            while (n == 0) {
                while (size == 0 && !closed) {
                    readable.awaitUninterruptibly();
                }
                if (closed) {
                    throw new ClosedChannelException();
                }
                while (n < batch.capacity() && size > 0) {
                    int i = head;
                    head = (head + 1) % data.length;
                    size--;
                    ByteBuffer dst = batch.buffer(n).clear();
                    if (lengths[i] > dst.capacity()) {
                        truncatedDrops.increment();
                        continue;
                    }
                    dst.put(data[i], 0, lengths[i]).flip();
                    if (addressLengths[i] == 0) {
                        continue; // cannot happen for datagrams from a socket; never deliver an addressless one
                    }
                    batch.setAddress(n, addresses[i], 0, addressLengths[i], ports[i]);
                    n++;
                }
            }
            batch.setCount(n);
            delivered.add(n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends on the mux's socket and claims each destination for this conn (a look-up per
     * datagram; a new claim allocates its key once).
     */
    @Override
    public int send(PacketBatch batch) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        AddressKey probe = sendProbe.get();
        for (int i = 0, n = batch.count(); i < n; i++) {
            if (batch.addressLength(i) != 0) {
                mux.claim(this, probe.set(batch, i));
            }
        }
        return mux.conn().send(batch);
    }

    /** The shared socket's address (a wildcard address when the mux is bound to one). */
    @Override
    public InetSocketAddress localAddress() {
        return mux.conn().localAddress();
    }

    @Override
    public int preferredBatchSize() {
        return mux.conn().preferredBatchSize();
    }

    /** Unregisters the fragment and its addresses and wakes a blocked receiver. Idempotent. */
    @Override
    public void close() {
        if (markClosed()) {
            mux.unregister(this);
        }
    }

    /** Marks closed and wakes the receiver; true the first time. */
    boolean markClosed() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            size = 0;
            readable.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MuxedConn[" + ufrag + " on " + mux.conn().localAddress() + "]";
    }
}
