package org.cunicu4j.linux.socket;

import static org.cunicu4j.linux.socket.SocketConstants.SOCK_CLOEXEC;
import static org.cunicu4j.linux.socket.SocketConstants.SOCK_RAW;
import static org.cunicu4j.linux.socket.SocketConstants.SOL_SOCKET;
import static org.cunicu4j.linux.socket.SocketConstants.SO_MARK;
import static org.cunicu4j.linux.socket.SocketConstants.SO_RCVBUFFORCE;
import static org.cunicu4j.linux.socket.SocketConstants.SO_SNDBUFFORCE;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;

/**
 * Socket system calls. Control-plane calls ({@link #socket}, {@link #bind},
 * {@link #setInt}, ...) throw {@link LinuxException} with symbolic call text such as
 * {@code setsockopt(7, SOL_SOCKET, SO_RCVBUFFORCE, 4194304)}, and a hint after " — " when
 * a missing capability is the likely cause. Data calls ({@link #sendto}, {@link #recvfrom},
 * {@link #recvmmsg}, {@link #sendmmsg}) never allocate and return {@code -errno} on failure
 * so that {@code EAGAIN} costs no exception; {@link #failure} turns such a value into one.
 * Stateless and thread-safe.
 */
public final class Sockets {
    /** Hint for EPERM from {@code socket(..., SOCK_RAW, ...)}. */
    public static final String RAW_HINT = "raw sockets need CAP_NET_RAW (run as root or grant the capability)";
    /** Hint for EPERM from the options only CAP_NET_ADMIN may set. */
    public static final String ADMIN_HINT = "needs CAP_NET_ADMIN";

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;

    private static final MethodHandle SOCKET = Libc.downcall("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = Libc.downcall("bind", FunctionDescriptor.of(INT, INT, ADDR, INT));
    private static final MethodHandle GETSOCKNAME = Libc.downcall("getsockname", FunctionDescriptor.of(INT, INT, ADDR, ADDR));
    private static final MethodHandle SETSOCKOPT = Libc.downcall("setsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ADDR, INT));
    private static final MethodHandle GETSOCKOPT = Libc.downcall("getsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ADDR, ADDR));
    private static final MethodHandle SENDTO = Libc.downcall("sendto",
            FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, INT));
    private static final MethodHandle RECVFROM = Libc.downcall("recvfrom",
            FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, ADDR));
    /** The same calls with the buffer as a raw address, so that a cached address needs no segment per call. */
    private static final MethodHandle SENDTO_AT = Libc.downcall("sendto",
            FunctionDescriptor.of(LONG, INT, LONG, LONG, INT, ADDR, INT));
    private static final MethodHandle RECVFROM_AT = Libc.downcall("recvfrom",
            FunctionDescriptor.of(LONG, INT, LONG, LONG, INT, ADDR, ADDR));
    private static final MethodHandle RECVMMSG = Libc.downcall("recvmmsg",
            FunctionDescriptor.of(INT, INT, ADDR, INT, INT, ADDR));
    private static final MethodHandle SENDMMSG = Libc.downcall("sendmmsg",
            FunctionDescriptor.of(INT, INT, ADDR, INT, INT));

    private Sockets() {}

    /**
     * {@code socket(family, type | SOCK_CLOEXEC, protocol)}. The call text shows the type
     * without SOCK_CLOEXEC: {@code socket(AF_INET, SOCK_RAW, IPPROTO_UDP)}.
     */
    public static int socket(int family, int type, int protocol) throws LinuxException {
        return socket(family, type, protocol, SocketConstants.protocolName(protocol));
    }

    /**
     * {@link #socket(int, int, int)} with the protocol's name given, for families whose
     * protocol numbers are not IP's: {@code socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)}.
     */
    public static int socket(int family, int type, int protocol, String protocolName) throws LinuxException {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(Libc.errnoState(), family, type | SOCK_CLOEXEC, protocol);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (fd < 0) {
            int errno = Libc.errno();
            String call = "socket(" + SocketConstants.familyName(family) + ", " + SocketConstants.typeName(type)
                    + ", " + protocolName + ")";
            boolean raw = (type & 0xf) == SOCK_RAW;
            throw new LinuxException(call, errno, raw && errno == Errno.EPERM ? RAW_HINT : null);
        }
        return fd;
    }

    /** {@code bind(fd, address)}; the call text reads {@code bind(7, 0.0.0.0:51820)}. */
    public static void bind(int fd, int family, InetSocketAddress address) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            int len = SockAddr.encode(sa, family, address);
            bind(fd, sa, len);
        }
    }

    /** {@code bind(fd, sockaddr, length)} with an address already encoded. */
    public static void bind(int fd, MemorySegment sockaddr, int length) throws LinuxException {
        int rc;
        try {
            rc = (int) BIND.invokeExact(Libc.errnoState(), fd, sockaddr, length);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (rc < 0) {
            throw new LinuxException("bind(" + fd + ", " + SockAddr.toString(sockaddr) + ")", Libc.errno());
        }
    }

    /** {@code getsockname(fd)}: the bound address, v4-mapped addresses shown as IPv4. */
    public static InetSocketAddress localAddress(int fd) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            MemorySegment len = arena.allocateFrom(INT, SockAddr.MAX_SIZE);
            int rc = (int) GETSOCKNAME.invokeExact(Libc.errnoState(), fd, sa, len);
            LinuxException.check(rc, "getsockname(" + fd + ")");
            return SockAddr.decode(sa);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code setsockopt(fd, level, option, &value, 4)}; text {@code setsockopt(7, SOL_SOCKET, SO_MARK, 51820)}. */
    public static void setInt(int fd, int level, int option, int value) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            setOption(fd, level, option, arena.allocateFrom(INT, value), Integer.toString(value));
        }
    }

    /** {@code setsockopt} with {@code value} as option bytes; {@code shown} is its text in errors. */
    public static void setOption(int fd, int level, int option, MemorySegment value, String shown)
            throws LinuxException {
        int rc;
        try {
            rc = (int) SETSOCKOPT.invokeExact(Libc.errnoState(), fd, level, option, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        if (rc < 0) {
            int errno = Libc.errno();
            String call = "setsockopt(" + fd + ", " + SocketConstants.levelName(level) + ", "
                    + SocketConstants.optionName(level, option) + ", " + shown + ")";
            boolean admin = level == SOL_SOCKET
                    && (option == SO_RCVBUFFORCE || option == SO_SNDBUFFORCE || option == SO_MARK);
            throw new LinuxException(call, errno, admin && errno == Errno.EPERM ? ADMIN_HINT : null);
        }
    }

    /** {@code getsockopt(fd, level, option)} of an int option. */
    public static int getInt(int fd, int level, int option) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(INT);
            MemorySegment len = arena.allocateFrom(INT, 4);
            int rc = (int) GETSOCKOPT.invokeExact(Libc.errnoState(), fd, level, option, value, len);
            LinuxException.check(rc, "getsockopt(" + fd + ", " + SocketConstants.levelName(level) + ", "
                    + SocketConstants.optionName(level, option) + ")");
            return value.get(INT, 0);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code close(fd)}, ignoring errors (the fd is gone either way under Linux). */
    public static void close(int fd) {
        Libc.closeQuietly(fd);
    }

    /** {@code sendto}: bytes sent, or {@code -errno}. Pass {@link MemorySegment#NULL} and 0 for no address. */
    public static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            long n = (long) SENDTO.invokeExact(Libc.errnoState(), fd, buf, len, flags, addr, addrLen);
            return n < 0 ? -Libc.errno() : n;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * {@code recvfrom}: bytes received (with MSG_TRUNC, the datagram's full length), or
     * {@code -errno}. {@code addrLen} is an int in/out segment, {@link MemorySegment#NULL}
     * with {@code addr} when the source is not wanted.
     */
    public static long recvfrom(int fd, MemorySegment buf, long len, int flags, MemorySegment addr,
            MemorySegment addrLen) {
        try {
            long n = (long) RECVFROM.invokeExact(Libc.errnoState(), fd, buf, len, flags, addr, addrLen);
            return n < 0 ? -Libc.errno() : n;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@link #sendto} from native address {@code buf} (memory the caller keeps alive). */
    public static long sendtoAt(int fd, long buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            long n = (long) SENDTO_AT.invokeExact(Libc.errnoState(), fd, buf, len, flags, addr, addrLen);
            return n < 0 ? -Libc.errno() : n;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@link #recvfrom} into native address {@code buf} (memory the caller keeps alive). */
    public static long recvfromAt(int fd, long buf, long len, int flags, MemorySegment addr, MemorySegment addrLen) {
        try {
            long n = (long) RECVFROM_AT.invokeExact(Libc.errnoState(), fd, buf, len, flags, addr, addrLen);
            return n < 0 ? -Libc.errno() : n;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code recvmmsg(fd, msgvec, vlen, flags, NULL)}: messages received, or {@code -errno}. */
    public static int recvmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        try {
            int n = (int) RECVMMSG.invokeExact(Libc.errnoState(), fd, msgvec, vlen, flags, MemorySegment.NULL);
            return n < 0 ? -Libc.errno() : n;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code sendmmsg(fd, msgvec, vlen, flags)}: messages sent, or {@code -errno}. */
    public static int sendmmsg(int fd, MemorySegment msgvec, int vlen, int flags) {
        try {
            int n = (int) SENDMMSG.invokeExact(Libc.errnoState(), fd, msgvec, vlen, flags);
            return n < 0 ? -Libc.errno() : n;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
