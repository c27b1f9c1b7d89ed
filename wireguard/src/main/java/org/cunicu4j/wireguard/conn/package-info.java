/**
 * The seam between a WireGuard device and the network: {@link org.cunicu4j.wireguard.conn.Bind}
 * (the role of wireguard-go's {@code conn.Bind}) and its {@link org.cunicu4j.wireguard.conn.Endpoint}s.
 * The default Bind is batched UDP; other Binds share their sockets with an ICE agent.
 */
package org.cunicu4j.wireguard.conn;
