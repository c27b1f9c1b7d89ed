package org.cunicu4j.linux.rawsock;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IP;
import static org.cunicu4j.linux.socket.SocketConstants.IP_HDRINCL;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IPV6;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_UDP;
import static org.cunicu4j.linux.socket.SocketConstants.IPV6_CHECKSUM;
import static org.cunicu4j.linux.socket.SocketConstants.MSG_DONTWAIT;
import static org.cunicu4j.linux.socket.SocketConstants.MSG_TRUNC;
import static org.cunicu4j.linux.socket.SocketConstants.SOCK_RAW;
import static org.cunicu4j.linux.socket.SocketConstants.SOL_SOCKET;
import static org.cunicu4j.linux.socket.SocketConstants.SO_ATTACH_FILTER;
import static org.cunicu4j.linux.socket.SocketConstants.SO_MARK;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.WakeableFd;
import org.cunicu4j.linux.socket.SockAddr;
import org.cunicu4j.linux.socket.SocketConstants;
import org.cunicu4j.linux.socket.Sockets;

/**
 * A raw socket ({@code SOCK_RAW, IPPROTO_UDP}) that sees copies of the UDP datagrams the
 * host receives, filtered in the kernel by a classic BPF program, and can send UDP
 * datagrams whose header it builds itself.
 *
 * <p><b>No unfiltered window.</b> A raw socket receives from the moment it exists, so
 * {@link #open} first attaches {@link BpfProgram#DROP_ALL}, then drains whatever was
 * queued before that (non-blocking receives until {@code EAGAIN}), and only then attaches
 * the real filter ({@code SO_ATTACH_FILTER} replaces the previous one atomically).
 *
 * <p><b>What is read.</b> AF_INET: the whole IPv4 packet, header included (the UDP header
 * is at {@link #udpOffset}). AF_INET6: the UDP header and payload, no IPv6 header.
 *
 * <p><b>What is sent.</b> Both families send the UDP header plus payload; the kernel
 * builds the IP header (no {@code IP_HDRINCL}), choosing the source address by route
 * unless {@link #bind} fixed one. For AF_INET the UDP checksum is the caller's (0, "none",
 * is legal in IPv4); for AF_INET6, where a checksum is mandatory, the socket sets
 * {@code IPV6_CHECKSUM} to offset 6 so the kernel fills it in. An AF_INET socket switched to
 * {@link #setHeaderIncluded IP_HDRINCL} sends whole IPv4 packets instead: the caller writes
 * the IPv4 header (source address included), the kernel only fills in the total length,
 * the header checksum and, when 0, the identification.
 *
 * <p>Threading: one thread receives, any number send; {@link #close()} wakes a blocked
 * receiver, which throws {@link ClosedChannelException}. Buffers must be direct.
 */
public final class RawSocket implements AutoCloseable {
    private static final long FIONREAD = 0x541B;
    private static final MethodHandle IOCTL = Libc.variadicDowncall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), 2);

    private final int family;
    private final WakeableFd fd;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment recvName;
    private final MemorySegment recvNameLen;
    private final MemorySegment sendName;
    private final AtomicLong truncated = new AtomicLong();
    private final String recvCall;
    private final String sendCall;
    private ByteBuffer recvBuffer;
    private long recvBase;
    private ByteBuffer sendBuffer;
    private long sendBase;

    private RawSocket(int family, WakeableFd fd) {
        this.family = family;
        this.fd = fd;
        this.recvName = arena.allocate(SockAddr.MAX_SIZE, 8);
        this.recvNameLen = arena.allocate(ValueLayout.JAVA_INT);
        this.sendName = arena.allocate(SockAddr.MAX_SIZE, 8);
        this.recvCall = "recvfrom(" + fd.fd() + ")";
        this.sendCall = "sendto(" + fd.fd() + ")";
    }

    /**
     * Opens a raw UDP socket of {@code family} with {@code filter} attached race-free.
     *
     * @throws LinuxException EPERM with a CAP_NET_RAW hint when the process lacks the capability
     */
    public static RawSocket open(int family, BpfProgram filter) throws IOException {
        RawSocket socket = openUnfiltered(family);
        try {
            socket.installFilter(filter);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A raw socket with no filter yet, receiving every UDP datagram: only for tests that
     * need the unfiltered window {@link #open} closes to be really there.
     */
    static RawSocket openUnfiltered(int family) throws IOException {
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6, got " + family);
        }
        int raw = Sockets.socket(family, SOCK_RAW, IPPROTO_UDP);
        WakeableFd wfd = new WakeableFd(raw, "raw " + SocketConstants.familyName(family) + " UDP fd " + raw);
        RawSocket socket = new RawSocket(family, wfd);
        if (family == AF_INET6) {
            try {
                Sockets.setInt(raw, IPPROTO_IPV6, IPV6_CHECKSUM, 6);
            } catch (LinuxException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        return socket;
    }

    /**
     * Attaches {@code filter} so that nothing queued before it can be read after it:
     * {@link BpfProgram#DROP_ALL} first, then {@link #drain()} of what came in unfiltered,
     * then {@code filter} ({@code SO_ATTACH_FILTER} replaces the previous one atomically).
     */
    void installFilter(BpfProgram filter) throws IOException {
        attach(BpfProgram.DROP_ALL);
        drain();
        attach(filter);
    }

    /**
     * Replaces the socket's filter. Datagrams already queued stay queued: to filter them
     * too, open a new socket with {@link #open}.
     *
     * @throws ClosedChannelException once {@link #close()} was called
     */
    public void attach(BpfProgram filter) throws IOException {
        int raw = fd.acquire();
        try (Arena a = Arena.ofConfined()) {
            Sockets.setOption(raw, SOL_SOCKET, SO_ATTACH_FILTER, filter.toSockFprog(a),
                    "<" + filter.length() + " BPF instructions>");
        } finally {
            fd.release();
        }
    }

    /** Receives and discards until nothing is queued; returns how many were discarded. */
    int drain() throws IOException {
        int discarded = 0;
        int raw = fd.acquire();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(1);
            while (true) {
                long n = Sockets.recvfrom(raw, one, 1, MSG_DONTWAIT | MSG_TRUNC, MemorySegment.NULL,
                        MemorySegment.NULL);
                if (n >= 0) {
                    discarded++;
                } else if (n == -Errno.EAGAIN) {
                    // EAGAIN can also mean "discarded as read" (an IPv6 checksum failing at
                    // recvmsg time): go on while anything is still queued.
                    if (queuedBytes(raw) == 0) {
                        return discarded;
                    }
                } else if (n != -Errno.EINTR) {
                    throw fd.failure(recvCall, (int) -n);
                }
            }
        } finally {
            fd.release();
        }
    }

    /** Bytes of the datagram at the head of the receive queue ({@code FIONREAD}), 0 when empty. */
    int queuedBytes() throws IOException {
        int raw = fd.acquire();
        try {
            return queuedBytes(raw);
        } finally {
            fd.release();
        }
    }

    private static int queuedBytes(int raw) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(ValueLayout.JAVA_INT);
            int rc = (int) IOCTL.invokeExact(Libc.errnoState(), raw, FIONREAD, value);
            LinuxException.check(rc, "ioctl(" + raw + ", FIONREAD)");
            return value.get(ValueLayout.JAVA_INT, 0);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int family() {
        return family;
    }

    /**
     * AF_INET only: with {@code on}, {@link #send} takes whole IPv4 packets, header included
     * ({@code IP_HDRINCL}); receiving is unchanged (an AF_INET raw socket always reads the header).
     *
     * @throws IllegalStateException on an AF_INET6 socket (IPv6 raw sockets have no such option)
     */
    public void setHeaderIncluded(boolean on) throws IOException {
        if (family != AF_INET) {
            throw new IllegalStateException("IP_HDRINCL exists only for AF_INET raw sockets, this one is "
                    + SocketConstants.familyName(family));
        }
        setInt(IPPROTO_IP, IP_HDRINCL, on ? 1 : 0);
    }

    /**
     * {@code SO_MARK} (fwmark) on every packet sent, as WireGuard marks its own. Needs
     * CAP_NET_ADMIN, or since Linux 5.17 CAP_NET_RAW alone (which a raw socket's opener has).
     *
     * @throws LinuxException EPERM without either capability (CAP_NET_RAW: before Linux 5.17)
     */
    public void setMark(int mark) throws IOException {
        setInt(SOL_SOCKET, SO_MARK, mark);
    }

    private void setInt(int level, int option, int value) throws IOException {
        int raw = fd.acquire();
        try {
            Sockets.setInt(raw, level, option, value);
        } finally {
            fd.release();
        }
    }

    public int fd() {
        return fd.fd();
    }

    /**
     * Fixes the source address of sent packets and limits receipt to packets for it.
     *
     * @throws ClosedChannelException once {@link #close()} was called
     */
    public void bind(InetAddress address) throws IOException {
        int raw = fd.acquire();
        try {
            Sockets.bind(raw, family, new InetSocketAddress(address, 0));
        } finally {
            fd.release();
        }
    }

    /** Datagrams dropped because they did not fit the buffer given to receive. */
    public long truncated() {
        return truncated.get();
    }

    /**
     * Blocks until a datagram passes the filter and writes it into {@code dst} from its
     * position, advancing the position. Datagrams larger than {@code dst.remaining()} are
     * counted in {@link #truncated()} and dropped.
     *
     * @param source receives the source address (4 bytes for AF_INET, 16 for AF_INET6), or null
     * @return the number of bytes received
     * @throws ClosedChannelException once {@link #close()} was called
     */
    public int receive(ByteBuffer dst, byte[] source) throws IOException {
        while (true) {
            int n = tryReceive(dst, source);
            if (n >= 0) {
                return n;
            }
            fd.awaitReadable();
        }
    }

    /**
     * Like {@link #receive} without blocking.
     *
     * @return the number of bytes received, or -1 when nothing is deliverable right now.
     *     Read -1 as that, not as "the queue is empty": the kernel's raw receive path may
     *     discard a datagram as it reads it and report {@code EAGAIN} while more are queued
     *     behind (IPv6 {@code recvmsg} does so for a datagram failing its checksum). Our
     *     sockets always have a filter and, on AF_INET6, {@code IPV6_CHECKSUM}, so Linux
     *     verifies checksums before queueing instead ({@code rawv6_rcv_skb}; see
     *     {@code RawSocketTest}), but a caller should poll again rather than conclude.
     *     {@link #receive} waits in {@code poll}, which returns at once while anything is queued.
     */
    public int tryReceive(ByteBuffer dst, byte[] source) throws IOException {
        long base = recvBaseOf(dst);
        int pos = dst.position();
        int room = dst.remaining();
        int raw = fd.acquire();
        try {
            while (true) {
                recvNameLen.set(ValueLayout.JAVA_INT, 0, SockAddr.MAX_SIZE);
                long n = Sockets.recvfromAt(raw, base + pos, room, MSG_DONTWAIT | MSG_TRUNC, recvName, recvNameLen);
                if (n >= 0) {
                    if (n > room) {
                        truncated.incrementAndGet();
                        continue;
                    }
                    if (source != null) {
                        SockAddr.address(recvName, source, 0);
                    }
                    dst.position(pos + (int) n);
                    return (int) n;
                }
                if (n == -Errno.EAGAIN) {
                    return -1;
                }
                if (n != -Errno.EINTR) {
                    throw fd.failure(recvCall, (int) -n);
                }
            }
        } finally {
            fd.release();
        }
    }

    /**
     * Sends the UDP datagram (header and payload) between {@code datagram}'s position and
     * limit to {@code address}; the position is left unchanged. Waits in {@code poll} while
     * the send buffer is full.
     *
     * @param address 4 bytes for AF_INET, 16 for AF_INET6 (not link-local: there is no scope)
     * @return the bytes sent, or {@code -errno} when the kernel refused this datagram alone
     *     ({@code EHOSTUNREACH}, {@code ENETUNREACH}, {@code EMSGSIZE}, {@code EPERM} from a
     *     firewall, ...), so that the caller can count it and go on without an exception
     * @throws ClosedChannelException once {@link #close()} was called
     * @throws LinuxException only when the socket itself is broken ({@code EBADF},
     *     {@code ENOTSOCK}, {@code EFAULT})
     */
    public int send(ByteBuffer datagram, byte[] address) throws IOException {
        if (!datagram.isDirect()) {
            throw new IllegalArgumentException("the datagram must be in a direct buffer");
        }
        if (address.length != (family == AF_INET ? 4 : 16)) {
            throw new IllegalArgumentException("a " + SocketConstants.familyName(family) + " raw socket sends to "
                    + (family == AF_INET ? 4 : 16) + "-byte addresses, got " + address.length);
        }
        synchronized (sendName) {
            if (datagram != sendBuffer) {
                sendBase = MemorySegment.ofBuffer(datagram.duplicate().clear()).address();
                sendBuffer = datagram;
            }
            int len = SockAddr.encode(sendName, family, address, 0, address.length, 0);
            int raw = fd.acquire();
            try {
                while (true) {
                    long n = Sockets.sendtoAt(raw, sendBase + datagram.position(), datagram.remaining(), 0,
                            sendName, len);
                    if (n >= 0) {
                        return (int) n;
                    }
                    if (n == -Errno.EAGAIN) {
                        fd.awaitWritable();
                    } else if (n == -Errno.EBADF || n == -Errno.ENOTSOCK || n == -Errno.EFAULT) {
                        throw fd.failure(sendCall + " to " + SockAddr.formatAddress(address, 0, address.length), (int) -n);
                    } else if (n != -Errno.EINTR) {
                        return (int) n;
                    }
                }
            } finally {
                fd.release();
            }
        }
    }

    /**
     * Where the UDP header starts in a datagram this socket received at {@code start} of
     * {@code packet}: after the IPv4 header (4 * IHL) for AF_INET, at once for AF_INET6.
     */
    public int udpOffset(ByteBuffer packet, int start) {
        return family == AF_INET ? (packet.get(start) & 0x0f) * 4 : 0;
    }

    private long recvBaseOf(ByteBuffer dst) {
        if (dst != recvBuffer) {
            if (!dst.isDirect()) {
                throw new IllegalArgumentException("the receive buffer must be direct");
            }
            recvBase = MemorySegment.ofBuffer(dst.duplicate().clear()).address();
            recvBuffer = dst;
        }
        return recvBase;
    }


    public boolean isClosed() {
        return fd.isClosed();
    }

    /** Wakes a blocked receiver and closes the socket. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }
}
