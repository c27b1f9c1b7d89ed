package org.cunicu4j.wireguard.conn;

import java.net.StandardProtocolFamily;
import org.cunicu4j.net.PacketBatch;

/**
 * Takes the datagrams a shared {@link Bind} receives that are not WireGuard (STUN,
 * TURN ChannelData, anything else): how an ICE agent on the same sockets gets its share.
 *
 * <p>Called on the Bind's receive thread, once per datagram, in arrival order. It must not
 * block and must not keep the buffer: slot {@code slot} of {@code batch} (its buffer from
 * position 0 to its limit, its source address) is borrowed for the call only, and is
 * reused for the next datagram as soon as the handler returns. Copy what must outlive
 * the call. An exception thrown here is counted by the Bind and otherwise ignored.
 */
@FunctionalInterface
public interface ForeignPacketHandler {

    /**
     * @param family the socket it arrived on ({@link StandardProtocolFamily#INET} or
     *     {@link StandardProtocolFamily#INET6}): reply through that family's shared conn
     */
    void handle(PacketBatch batch, int slot, StandardProtocolFamily family);
}
