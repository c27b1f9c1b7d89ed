package org.cunicu4j.stun.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.cunicu4j.net.PacketBatch;

/**
 * Receives what a transport read but did not consume as a transaction's response:
 * indications (TURN Data), requests, ChannelData, stray responses, non-STUN datagrams.
 * Called on the transport's reader thread; the buffer is borrowed for the call only
 * (copy what you keep); must not block for long.
 *
 * <p>A stream transport calls {@link #onInbound} with its server's address (no allocation
 * per frame). A {@link StunClient} reading UDP calls {@link #onDatagram} with the slot of
 * its receive batch, whose default builds the source address (allocating) and calls
 * {@link #onInbound}: a handler on a data path overrides it and reads the raw source from
 * the batch.
 */
@FunctionalInterface
public interface InboundHandler {
    /** Drops everything. */
    InboundHandler DISCARD = (data, from) -> {};

    /** One message (position to limit) from {@code from}. */
    void onInbound(ByteBuffer data, InetSocketAddress from);

    /**
     * One datagram: {@code batch.buffer(slot)}, from the raw address and port of the slot
     * (borrowed for the call, like the batch).
     */
    default void onDatagram(PacketBatch batch, int slot) {
        onInbound(batch.buffer(slot), batch.address(slot));
    }

    /**
     * The reader stopped for good: the transport was closed (a
     * {@link java.nio.channels.ClosedChannelException} or the close's own exception) or the
     * connection broke ({@code cause} says how). Called once, on the reader thread.
     */
    default void onReaderEnd(IOException cause) {}
}
