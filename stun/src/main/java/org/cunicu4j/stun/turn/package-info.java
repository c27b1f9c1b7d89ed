/**
 * The TURN client (RFC 8656): {@link org.cunicu4j.stun.turn.TurnClient#allocate} makes an
 * {@link org.cunicu4j.stun.turn.Allocation} with long-term credentials over UDP, TCP or TLS,
 * and the allocation is a {@link org.cunicu4j.net.PacketConn} (the relay connection) that
 * keeps itself, its permissions and its channels refreshed and deallocates on close.
 * Transactions and server links are the client layer's ({@code org.cunicu4j.stun.client}).
 * Relayed data (Send/Data indications, ChannelData) is framed by hand without allocating;
 * control messages use the STUN codec. Also the TURN REST API credentials.
 */
package org.cunicu4j.stun.turn;
