package org.cunicu4j.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * The agent's selected pair as a data connection: {@link #send} goes to the selected
 * remote candidate through the selected local candidate's base, {@link #receive} yields
 * the non-STUN datagrams that arrive on that base from that remote. It follows the
 * selected pair: after a switch (or a restart that finds a new pair) it sends and
 * receives on the new one without being reopened.
 *
 * <p>Owned by its {@link IceAgent} ({@link IceAgent#connection()}); closing it stops data
 * only, closing the agent closes it too. While no pair is selected, sends are dropped and
 * counted ({@link IceCounters#dataDroppedNoRoute()}).
 *
 * <p>Received datagrams wait in a bounded queue of preallocated slots (filled by the
 * agent's readers; a full queue drops and counts). Threading as {@link PacketConn}: one
 * thread may receive while others send; {@link #close()} wakes a blocked receiver.
 */
public final class IceConnection implements PacketConn {

    static final int QUEUE_SLOTS = 256;

    private final IceAgent agent;
    private final int bufferSize;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final byte[][] data = new byte[QUEUE_SLOTS][];
    private final int[] lengths = new int[QUEUE_SLOTS];
    private final byte[][] addresses = new byte[QUEUE_SLOTS][16];
    private final int[] addressLengths = new int[QUEUE_SLOTS];
    private final int[] ports = new int[QUEUE_SLOTS];
    private int head;
    private int size;
    private boolean closed;

    IceConnection(IceAgent agent, int bufferSize) {
        this.agent = agent;
        this.bufferSize = bufferSize;
    }

    /** Called by a reader for a data datagram from the selected remote; false when the queue is full or closed. */
    boolean offer(PacketBatch batch, int slot) {
        ByteBuffer src = batch.buffer(slot);
        int len = src.remaining();
        lock.lock();
        try {
            if (closed || size == QUEUE_SLOTS) {
                return false;
            }
            int i = (head + size) % QUEUE_SLOTS;
            if (data[i] == null) {
                data[i] = new byte[bufferSize];
            }
            src.get(src.position(), data[i], 0, Math.min(len, bufferSize));
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
            while (size == 0 && !closed) {
                readable.awaitUninterruptibly();
            }
            if (closed) {
                throw new ClosedChannelException();
            }
            int n = 0;
            while (n < batch.capacity() && size > 0) {
                int i = head;
                head = (head + 1) % QUEUE_SLOTS;
                size--;
                ByteBuffer dst = batch.buffer(n).clear();
                if (lengths[i] > dst.capacity()) {
                    continue; // does not fit the caller's slot: dropped, as PacketConn says
                }
                dst.put(data[i], 0, lengths[i]).flip();
                batch.setAddress(n, addresses[i], 0, addressLengths[i], ports[i]);
                n++;
            }
            batch.setCount(n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends every slot to the selected remote through the selected base; each slot's
     * address is overwritten with the selected remote's. Dropped (and counted) while no
     * pair is selected.
     */
    @Override
    public int send(PacketBatch batch) throws IOException {
        if (isClosed()) {
            throw new ClosedChannelException();
        }
        return agent.sendData(batch);
    }

    @Override
    public InetSocketAddress localAddress() {
        return agent.dataLocalAddress();
    }

    /** The selected remote's address, or null while none is selected. */
    public InetSocketAddress remoteAddress() {
        return agent.dataRemoteAddress();
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
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
