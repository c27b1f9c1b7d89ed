package org.cunicu4j.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.PacketQueue;

/**
 * The agent's selected pair as a data connection: {@link #send} goes to the selected
 * remote candidate through the selected local candidate's base, {@link #receive} yields
 * the non-STUN datagrams that arrive on that base from that remote, and those from the
 * remote of any other valid pair on its base (RFC 8445 §12: the peer may send on the pair
 * it selected; each slot's address is the sender's). It follows the
 * selected pair: after a switch (or a restart that finds a new pair) it sends and
 * receives on the new one without being reopened.
 *
 * <p>Owned by its {@link IceAgent} ({@link IceAgent#connection()}); closing it stops data
 * only, closing the agent closes it too. While no pair is selected, sends are dropped and
 * counted ({@link IceCounters#dataDroppedNoRoute()}).
 *
 * <p>Received datagrams wait in a {@link PacketQueue} of preallocated slots (filled by the
 * agent's readers; a full queue drops and counts). Threading as {@link PacketConn}: one
 * thread may receive while others send; {@link #close()} wakes a blocked receiver.
 */
public final class IceConnection implements PacketConn {

    static final int QUEUE_SLOTS = 256;

    private final IceAgent agent;
    private final PacketQueue queue;
    private volatile boolean closed;

    IceConnection(IceAgent agent, int bufferSize) {
        this.agent = agent;
        this.queue = new PacketQueue(QUEUE_SLOTS, bufferSize);
    }

    /**
     * Called by a reader for a data datagram from the remote of a valid pair; false when it was
     * dropped (queue full or closed, or longer than a slot: never delivered cut short).
     */
    boolean offer(PacketBatch batch, int slot) {
        ByteBuffer src = batch.buffer(slot);
        return queue.offer(src, src.position(), src.remaining(), batch.addressBytes(slot), batch.addressLength(slot),
                        batch.port(slot))
                == PacketQueue.Offer.ACCEPTED;
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        return queue.take(batch);
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
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        queue.close();
    }
}
