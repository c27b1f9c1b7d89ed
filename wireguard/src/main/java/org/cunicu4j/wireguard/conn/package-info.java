/**
 * The seam between a WireGuard device and the network: {@link org.cunicu4j.wireguard.conn.Bind}
 * (the role of wireguard-go's {@code conn.Bind}) and its {@link org.cunicu4j.wireguard.conn.Endpoint}s.
 * The default Bind, {@link org.cunicu4j.wireguard.conn.UdpBind}, is batched UDP over IPv4 and
 * IPv6 on one port; it shares its sockets with an ICE agent by handing datagrams that are
 * not WireGuard to a {@link org.cunicu4j.wireguard.conn.ForeignPacketHandler} and letting
 * the agent send through {@link org.cunicu4j.wireguard.conn.UdpBind#sharedConn}.
 * In-memory Binds for tests live in {@code .testing}.
 */
package org.cunicu4j.wireguard.conn;
