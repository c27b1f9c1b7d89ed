package org.cunicu4j.linux.socket;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IP;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IPV6;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_UDP;
import static org.cunicu4j.linux.socket.SocketConstants.IPV6_RECVPKTINFO;
import static org.cunicu4j.linux.socket.SocketConstants.IPV6_V6ONLY;
import static org.cunicu4j.linux.socket.SocketConstants.IP_PKTINFO;
import static org.cunicu4j.linux.socket.SocketConstants.SOCK_DGRAM;
import static org.cunicu4j.linux.socket.SocketConstants.SOL_SOCKET;
import static org.cunicu4j.linux.socket.SocketConstants.SO_MARK;
import static org.cunicu4j.linux.socket.SocketConstants.SO_RCVBUF;
import static org.cunicu4j.linux.socket.SocketConstants.SO_RCVBUFFORCE;
import static org.cunicu4j.linux.socket.SocketConstants.SO_REUSEADDR;
import static org.cunicu4j.linux.socket.SocketConstants.SO_SNDBUF;
import static org.cunicu4j.linux.socket.SocketConstants.SO_SNDBUFFORCE;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.WakeableFd;

/**
 * A UDP socket made with FFM, non-blocking underneath and wrapped in a {@link WakeableFd}:
 * {@link #receive} and {@link #send} move a {@link MessageBatch} with one
 * {@code recvmmsg}/{@code sendmmsg} each, and wait in {@code poll} when the kernel says
 * {@code EAGAIN}; {@link #close()} wakes such a wait, which then throws
 * {@link ClosedChannelException}.
 *
 * <p>Threading: one thread receives while any number send (each with its own batch);
 * options are set before the data path starts. Addresses are IPv4 for {@code AF_INET}; an
 * {@code AF_INET6} socket may be dual-stack, in which case IPv4 peers appear as 4-byte
 * addresses (the v4-mapped form is hidden by {@link SockAddr}).
 */
public final class UdpSocket implements AutoCloseable {
    private final int family;
    private final WakeableFd fd;
    private final String recvCall;
    private final String sendCall;
    private volatile boolean packetInfo;
    private volatile InetSocketAddress local;

    private UdpSocket(int family, WakeableFd fd) {
        this.family = family;
        this.fd = fd;
        this.recvCall = "recvmmsg(" + fd.fd() + ")";
        this.sendCall = "sendmmsg(" + fd.fd() + ")";
    }

    /** An unbound socket of {@code family} ({@code AF_INET} or {@code AF_INET6}); AF_INET6 starts dual-stack. */
    public static UdpSocket open(int family) throws IOException {
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6, got " + family);
        }
        int raw = Sockets.socket(family, SOCK_DGRAM, IPPROTO_UDP);
        WakeableFd wfd = new WakeableFd(raw, "UDP " + SocketConstants.familyName(family) + " fd " + raw);
        UdpSocket socket = new UdpSocket(family, wfd);
        if (family == AF_INET6) {
            try {
                socket.setDualStack(true);
            } catch (IOException | RuntimeException e) {
                wfd.close();
                throw e;
            }
        }
        return socket;
    }

    /**
     * A socket bound to {@code address}: AF_INET for an IPv4 address, AF_INET6 otherwise
     * (dual-stack when the address is the wildcard {@code ::}).
     */
    public static UdpSocket open(InetSocketAddress address) throws IOException {
        boolean v4 = address.getAddress() instanceof Inet4Address;
        UdpSocket socket = open(v4 ? AF_INET : AF_INET6);
        try {
            if (!v4 && !address.getAddress().isAnyLocalAddress()) {
                socket.setDualStack(false);
            }
            socket.bind(address);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public int family() {
        return family;
    }

    /**
     * The descriptor, for options this class does not wrap: a number only, which a
     * concurrent {@link #close()} may release; prefer the setters here, which hold the fd.
     */
    public int fd() {
        return fd.fd();
    }

    /**
     * {@code setsockopt} holding the fd ({@link WakeableFd#acquire()}), so that a concurrent
     * close cannot release the number, and another open reuse it, under the call.
     *
     * @throws ClosedChannelException once {@link #close()} was called
     */
    private void setInt(int level, int option, int value) throws IOException {
        int raw = fd.acquire();
        try {
            Sockets.setInt(raw, level, option, value);
        } finally {
            fd.release();
        }
    }

    /** {@code getsockopt} holding the fd, as {@link #setInt}. */
    private int getInt(int level, int option) throws IOException {
        int raw = fd.acquire();
        try {
            return Sockets.getInt(raw, level, option);
        } finally {
            fd.release();
        }
    }

    /** AF_INET6 only: whether IPv4 peers are served too ({@code IPV6_V6ONLY} off). Before bind. */
    public void setDualStack(boolean dual) throws IOException {
        requireV6("IPV6_V6ONLY");
        setInt(IPPROTO_IPV6, IPV6_V6ONLY, dual ? 0 : 1);
    }

    /** {@code SO_REUSEADDR}. */
    public void setReuseAddress(boolean on) throws IOException {
        setInt(SOL_SOCKET, SO_REUSEADDR, on ? 1 : 0);
    }

    /**
     * Receive buffer size: {@code SO_RCVBUFFORCE} (needs CAP_NET_ADMIN, ignores
     * {@code rmem_max}) when {@code force}, else {@code SO_RCVBUF}. The kernel doubles it.
     */
    public void setReceiveBufferSize(int bytes, boolean force) throws IOException {
        setInt(SOL_SOCKET, force ? SO_RCVBUFFORCE : SO_RCVBUF, bytes);
    }

    /** Send buffer size: {@code SO_SNDBUFFORCE} when {@code force}, else {@code SO_SNDBUF}. */
    public void setSendBufferSize(int bytes, boolean force) throws IOException {
        setInt(SOL_SOCKET, force ? SO_SNDBUFFORCE : SO_SNDBUF, bytes);
    }

    /** The effective receive buffer ({@code SO_RCVBUF}, as the kernel reports it). */
    public int receiveBufferSize() throws IOException {
        return getInt(SOL_SOCKET, SO_RCVBUF);
    }

    public int sendBufferSize() throws IOException {
        return getInt(SOL_SOCKET, SO_SNDBUF);
    }

    /** {@code SO_MARK} (fwmark) on every packet sent; needs CAP_NET_ADMIN. */
    public void setMark(int mark) throws IOException {
        setInt(SOL_SOCKET, SO_MARK, mark);
    }

    /**
     * Asks for the destination address and interface of every received datagram
     * ({@code IP_PKTINFO} for AF_INET, {@code IPV6_RECVPKTINFO} for AF_INET6, which covers
     * v4-mapped peers too); read it with {@link MessageBatch#packetInfoAddress} and
     * {@link MessageBatch#packetInfoIfIndex}.
     */
    public void setPacketInfo(boolean on) throws IOException {
        if (family == AF_INET) {
            setInt(IPPROTO_IP, IP_PKTINFO, on ? 1 : 0);
        } else {
            setInt(IPPROTO_IPV6, IPV6_RECVPKTINFO, on ? 1 : 0);
        }
        packetInfo = on;
    }

    /** {@code bind}; an IPv4 address on an AF_INET6 socket binds its v4-mapped form. */
    public void bind(InetSocketAddress address) throws IOException {
        int raw = fd.acquire();
        try {
            Sockets.bind(raw, family, address);
            local = Sockets.localAddress(raw);
        } finally {
            fd.release();
        }
    }

    /** The bound address (port resolved after binding port 0), or null before {@link #bind}. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Receives into slots {@code 0..}, at most the batch's capacity. */
    public int receive(MessageBatch batch) throws IOException {
        return receive(batch, batch.capacity());
    }

    /**
     * Blocks until at least one datagram is queued and receives up to {@code max} into
     * slots {@code 0..n-1}: lengths in {@link MessageBatch#length}, sources in
     * {@link MessageBatch#sourceAddress}. Each slot's iovec must point at its buffer.
     *
     * @return n, at least 1
     * @throws ClosedChannelException once {@link #close()} was called
     */
    public int receive(MessageBatch batch, int max) throws IOException {
        int vlen = Math.min(max, batch.capacity());
        boolean info = packetInfo;
        int raw = fd.acquire();
        try {
            while (true) {
                batch.prepareReceive(vlen, info);
                int n = Sockets.recvmmsg(raw, batch.vector(0), vlen, 0);
                if (n > 0) {
                    return n;
                }
                int errno = n == 0 ? Errno.EAGAIN : -n;
                if (errno == Errno.EAGAIN) {
                    fd.awaitReadable();
                } else if (errno != Errno.EINTR) {
                    throw fd.failure(recvCall, errno);
                }
            }
        } finally {
            fd.release();
        }
    }

    /**
     * Sends slots {@code from..from+count-1} (each to its {@link MessageBatch#setDestination
     * destination}, its iovec's bytes), waiting in {@code poll} while the send buffer is full.
     *
     * @return the number sent from {@code from} (at least 1), or {@code -errno} when the
     *     datagram at {@code from} itself failed (EHOSTUNREACH, EMSGSIZE, ...), so that the
     *     caller can count it, skip it and go on without an exception per datagram
     * @throws ClosedChannelException once {@link #close()} was called
     */
    public int send(MessageBatch batch, int from, int count) throws IOException {
        if (count < 1 || from < 0 || from + count > batch.capacity()) {
            throw new IndexOutOfBoundsException("slots " + from + ".." + (from + count - 1)
                    + " outside a batch of " + batch.capacity());
        }
        batch.prepareSend(from, count);
        int raw = fd.acquire();
        try {
            while (true) {
                int n = Sockets.sendmmsg(raw, batch.vector(from), count, 0);
                if (n > 0) {
                    return n;
                }
                int errno = n == 0 ? Errno.EAGAIN : -n;
                if (errno == Errno.EAGAIN) {
                    fd.awaitWritable();
                } else if (errno == Errno.EINTR) {
                    continue;
                } else if (errno == Errno.EBADF || errno == Errno.ENOTSOCK || errno == Errno.EFAULT) {
                    throw fd.failure(sendCall, errno);
                } else {
                    return -errno;
                }
            }
        } finally {
            fd.release();
        }
    }


    public boolean isClosed() {
        return fd.isClosed();
    }

    /** Wakes blocked receivers and senders and closes the socket. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    private void requireV6(String option) {
        if (family != AF_INET6) {
            throw new IllegalStateException(option + " applies to AF_INET6 sockets only");
        }
    }

    @Override
    public String toString() {
        InetSocketAddress l = local;
        return "UdpSocket[" + SocketConstants.familyName(family) + " fd " + fd.fd()
                + (l == null ? "" : " " + SockAddr.format(l)) + "]";
    }
}
