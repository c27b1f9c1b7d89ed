package org.cunicu4j.wireguard.conn;

import java.net.InetSocketAddress;
import org.cunicu4j.net.PacketBatch;

/**
 * Where a peer's datagrams go: the role of wireguard-go's {@code conn.Endpoint}. A
 * {@link Bind} makes its own endpoints ({@link Bind#parseEndpoint}, and one per source of
 * an authenticated packet when a peer roams), so a Bind that shares its sockets with an
 * ICE agent may route an endpoint through a TURN relay instead of a plain socket.
 *
 * <p>Immutable and thread-safe. A device keeps one per peer and replaces it only when the
 * peer roams, so endpoints are not allocated per packet.
 */
public interface Endpoint {

    /** The remote address (for a relayed endpoint: the peer's address as seen by the relay). */
    InetSocketAddress address();

    /**
     * True when slot {@code slot} of {@code batch} came from this endpoint; does not
     * allocate (the receive path compares every authenticated packet's source).
     */
    boolean matches(PacketBatch batch, int slot);
}
