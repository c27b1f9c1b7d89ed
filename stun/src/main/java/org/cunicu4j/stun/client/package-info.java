/**
 * STUN transactions and what is built on them: {@link org.cunicu4j.stun.client.StunClient}
 * runs request/response transactions over a {@link org.cunicu4j.net.PacketConn} with the
 * retransmissions of RFC 8489 section 6.2.1 (either reading the connection itself or fed
 * datagrams by the connection's owner), {@link org.cunicu4j.stun.client.StreamStunTransport}
 * does the same over TCP or TLS with STUN/ChannelData framing
 * ({@link org.cunicu4j.stun.client.StreamFramer}), both on one transaction engine and both
 * allocation-free per datagram or frame, which TURN's relay path relies on; on top,
 * {@link org.cunicu4j.stun.client.BindingClient} finds the server-reflexive address and
 * {@link org.cunicu4j.stun.client.NatBehaviorDiscovery} classifies a NAT the RFC 5780 way.
 */
package org.cunicu4j.stun.client;
