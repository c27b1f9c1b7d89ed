/**
 * UDP {@link org.cunicu4j.net.PacketConn}s: {@link org.cunicu4j.net.udp.UdpPacketConn}
 * moves a {@link org.cunicu4j.net.PacketBatch} with one {@code recvmmsg} or
 * {@code sendmmsg}, the kernel reading and writing the batch's direct buffers in place.
 */
package org.cunicu4j.net.udp;
