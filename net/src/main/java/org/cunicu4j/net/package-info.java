/**
 * The packet-I/O abstraction every layer above shares: {@link org.cunicu4j.net.PacketConn}
 * moves batches of datagrams held in a caller-owned {@link org.cunicu4j.net.PacketBatch};
 * the classifier tells STUN from WireGuard on a shared port.
 */
package org.cunicu4j.net;
