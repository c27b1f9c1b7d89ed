package org.cunicu4j.ice.mux;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketQueue;
import org.cunicu4j.stun.TransactionId;

/**
 * One agent's view of a {@link UdpMux}: {@link #receive} takes what the mux routed to this
 * agent's username fragment from a bounded queue of its own; {@link #send} goes out on the
 * shared socket and claims each destination for this conn, so that the answers (STUN
 * responses without USERNAME, data) come back here. {@link #close()} unregisters the
 * fragment and every claimed address.
 *
 * <p>The queue is a {@link PacketQueue} of {@code queueCapacity} slots allocated once:
 * routing a datagram here copies it once and allocates nothing. When the ring is full the
 * datagram is dropped and counted ({@link #queueDrops()}); a datagram larger than the ring
 * slot, or than the receiving batch's buffer, is dropped and counted
 * ({@link #truncatedDrops()}).
 *
 * <p>Threading: one thread receives while any number send; the mux's reader fills the
 * queue; {@link #close()} from any thread wakes a blocked receiver, which then throws
 * {@link ClosedChannelException}.
 */
public final class MuxedConn implements PacketConn {
    private final UdpMux mux;
    private volatile String ufrag; // written under the mux's registration lock
    private final PacketQueue queue;
    private volatile boolean closed;
    private final LongAdder queueDrops = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    /** Remote addresses claimed by this conn, oldest first, so that close can release them (guarded by the mux's registration lock). */
    final LinkedHashMap<AddressKey, UdpMux.Claim> claims = new LinkedHashMap<>();
    /** How many of {@link #claims} are by hearing (guarded by the mux's registration lock). */
    int heardClaims;
    private final ThreadLocal<AddressKey> sendProbe = ThreadLocal.withInitial(AddressKey::new);

    MuxedConn(UdpMux mux, String ufrag, int queueCapacity, int slotSize) {
        this.mux = mux;
        this.ufrag = ufrag;
        this.queue = new PacketQueue(queueCapacity, slotSize);
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
        return queue.tooBig();
    }

    /** Datagrams handed to {@link #receive}. */
    public long delivered() {
        return delivered.sum();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Called by the mux: copies the slot into the queue and says what became of it. */
    PacketQueue.Offer offer(PacketBatch batch, int slot) {
        ByteBuffer src = batch.buffer(slot);
        PacketQueue.Offer o = queue.offer(src, src.position(), src.remaining(), batch.addressBytes(slot),
                batch.addressLength(slot), batch.port(slot));
        if (o == PacketQueue.Offer.FULL) {
            queueDrops.increment();
        }
        return o;
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        int n = queue.take(batch);
        delivered.add(n);
        return n;
    }

    /**
     * Sends on the mux's socket and claims each destination for this conn (a look-up per
     * datagram; a new claim allocates its key once); remembers the transaction ID of each
     * STUN request, so that its responses come back here whoever holds the address.
     */
    @Override
    public int send(PacketBatch batch) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        AddressKey probe = sendProbe.get();
        for (int i = 0, n = batch.count(); i < n; i++) {
            if (batch.addressLength(i) != 0) {
                mux.claim(this, probe.set(batch, i), true);
            }
            ByteBuffer b = batch.buffer(i);
            if (b.remaining() >= 20 && (b.get(b.position()) & 0x01) == 0 && (b.get(b.position() + 1) & 0x10) == 0
                    && PacketClassifier.classify(b) == PacketClassifier.Kind.STUN) {
                mux.remember(TransactionId.read(b, b.position() + 8), this); // a request: its response comes here
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
        synchronized (queue) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        queue.close();
        return true;
    }

    @Override
    public String toString() {
        return "MuxedConn[" + ufrag + " on " + mux.conn().localAddress() + "]";
    }
}
