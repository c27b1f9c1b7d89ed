/**
 * BSD sockets through FFM: {@link org.cunicu4j.linux.socket.Sockets} wraps socket, bind,
 * socket options and datagram calls with errors that name their arguments symbolically
 * ({@code setsockopt(7, SOL_SOCKET, SO_RCVBUFFORCE, 4194304)}),
 * {@link org.cunicu4j.linux.socket.SockAddr} reads and writes {@code sockaddr_in}/{@code
 * sockaddr_in6} in place, and {@link org.cunicu4j.linux.socket.UdpSocket} is a wakeable,
 * non-blocking UDP socket with batched {@code recvmmsg}/{@code sendmmsg} over a
 * preallocated {@link org.cunicu4j.linux.socket.MessageBatch}. Layouts are those of
 * x86_64 Linux.
 */
package org.cunicu4j.linux.socket;
