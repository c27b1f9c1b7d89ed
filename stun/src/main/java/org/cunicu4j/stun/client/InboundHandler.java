package org.cunicu4j.stun.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives what a transport read but did not consume as a transaction's response:
 * indications (TURN Data), requests, ChannelData, stray responses, non-STUN datagrams.
 * Called on the transport's reader thread; the buffer is borrowed for the call only
 * (copy what you keep); must not block for long.
 */
@FunctionalInterface
public interface InboundHandler {
    /** Drops everything. */
    InboundHandler DISCARD = (data, from) -> {};

    void onInbound(ByteBuffer data, InetSocketAddress from);
}
