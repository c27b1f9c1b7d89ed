package org.cunicu4j.net;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A datagram endpoint that moves packets in batches: the one packet-I/O seam that UDP
 * sockets, raw sockets, muxed connections and TURN relays all implement.
 *
 * <p>Buffers are owned by the caller: {@link #receive} fills the slots of a
 * {@link PacketBatch} the caller allocated once and reuses, so the steady state allocates
 * nothing per packet.
 *
 * <p>Threading: one thread may receive while others send; {@link #close()} may be called
 * from any thread and wakes a thread blocked in {@link #receive}, which then throws
 * {@link java.nio.channels.ClosedChannelException}.
 */
public interface PacketConn extends AutoCloseable {

    /**
     * Blocks until at least one datagram has arrived and fills slots {@code 0..n-1} of
     * {@code batch} (each slot's buffer from position 0 to the datagram's length, and its
     * source address), at most {@link PacketBatch#capacity()}. A datagram longer than its
     * slot's buffer is dropped and counted by the implementation, never delivered cut short.
     *
     * @return n, the number of datagrams received (at least 1)
     * @throws java.nio.channels.ClosedChannelException once this connection is closed
     */
    int receive(PacketBatch batch) throws IOException;

    /**
     * Sends slots {@code 0..batch.count()-1}: each slot's buffer from its position to its
     * limit, to the slot's address. Buffers' positions are left unchanged.
     *
     * <p>A datagram the network refuses on its own (no route, too big) is skipped and
     * counted by the implementation rather than failing the batch; exceptions are for the
     * connection as a whole (closed, broken).
     *
     * @return the number of slots consumed from the front of the batch: all of them unless
     *     the implementation documents otherwise
     */
    int send(PacketBatch batch) throws IOException;

    /** The address this connection is bound to. */
    InetSocketAddress localAddress();

    /** The batch size that gives this connection its best throughput (1 if unbatched). */
    default int preferredBatchSize() {
        return 1;
    }

    /** Idempotent; wakes blocked receivers. */
    @Override
    void close();
}
