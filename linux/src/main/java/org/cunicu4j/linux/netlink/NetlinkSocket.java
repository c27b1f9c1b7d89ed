package org.cunicu4j.linux.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.ClosedChannelException;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.WakeableFd;

/**
 * An {@code AF_NETLINK} socket talking to the kernel, created in the calling thread's
 * network namespace. Blocking receives wait on a {@link WakeableFd}, so {@link #close()}
 * wakes them.
 *
 * <p>Threading: one sender and one receiver at a time; {@link #close()} from any thread.
 */
final class NetlinkSocket implements AutoCloseable {
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_DONTWAIT = 0x40;

    private static final MethodHandle SOCKET = Libc.downcall("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = Libc.downcall("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Libc.downcall("setsockopt",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = Libc.downcall("sendto",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = Libc.downcall("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = Libc.downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final WakeableFd fd;
    /** sockaddr_nl of the kernel (pid 0), the destination of every send. */
    private final MemorySegment kernel;

    private NetlinkSocket(WakeableFd fd, MemorySegment kernel) {
        this.fd = fd;
        this.kernel = kernel;
    }

    /**
     * Opens and binds a socket of {@code protocol}, joined to the multicast {@code groups}
     * (a bitmask, 0 for none), with extended acks on where the kernel has them.
     */
    static NetlinkSocket open(int protocol, String protocolName, int groups) throws LinuxException {
        try {
            int s = (int) SOCKET.invokeExact(Libc.errnoState(), Nl.AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
            LinuxException.check(s, "socket(AF_NETLINK, SOCK_RAW, " + protocolName + ")");
            Arena arena = Arena.ofAuto();
            MemorySegment local = arena.allocate(Nl.SOCKADDR_NL);
            local.set(ValueLayout.JAVA_SHORT, Nl.NL_FAMILY, (short) Nl.AF_NETLINK);
            local.set(ValueLayout.JAVA_INT, Nl.NL_GROUPS, groups);
            int rc = (int) BIND.invokeExact(Libc.errnoState(), s, local, (int) Nl.SOCKADDR_NL.byteSize());
            if (rc < 0) {
                int errno = Libc.errno();
                int ignored = (int) CLOSE.invokeExact(Libc.errnoState(), s);
                throw new LinuxException("bind(" + protocolName + ", groups 0x" + Integer.toHexString(groups) + ")", errno);
            }
            MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            // Best effort: older kernels lack these, and the socket works without them.
            int ignoredCap = (int) SETSOCKOPT.invokeExact(Libc.errnoState(), s, Nl.SOL_NETLINK, Nl.NETLINK_CAP_ACK, one, 4);
            int ignoredExt = (int) SETSOCKOPT.invokeExact(Libc.errnoState(), s, Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, one, 4);
            MemorySegment kernel = arena.allocate(Nl.SOCKADDR_NL);
            kernel.set(ValueLayout.JAVA_SHORT, Nl.NL_FAMILY, (short) Nl.AF_NETLINK);
            return new NetlinkSocket(new WakeableFd(s, "netlink " + protocolName), kernel);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Sends {@code len} bytes of {@code buf} to the kernel; {@code what} names the request in errors. */
    void send(MemorySegment buf, int len, String what) throws IOException {
        int raw = fd.acquire();
        try {
            while (true) {
                long n = (long) SENDTO.invokeExact(Libc.errnoState(), raw, buf, (long) len, 0,
                        kernel, (int) Nl.SOCKADDR_NL.byteSize());
                if (n >= 0) {
                    return;
                }
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) {
                    fd.awaitWritable();
                } else if (errno != Errno.EINTR) {
                    throw failure("sendto(" + fd.description() + ", " + what + ")", errno);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            fd.release();
        }
    }

    /**
     * Receives one datagram into {@code buf}, blocking; returns the bytes stored (a datagram
     * larger than {@code buf} is cut, which the parser then sees as truncated).
     *
     * @throws LinuxException ENOBUFS when the kernel dropped messages for want of buffer
     * @throws ClosedChannelException once closed
     */
    int receive(MemorySegment buf) throws IOException {
        int raw = fd.acquire();
        try {
            while (true) {
                long n = (long) RECV.invokeExact(Libc.errnoState(), raw, buf, buf.byteSize(), MSG_DONTWAIT | MSG_TRUNC);
                if (n >= 0) {
                    return (int) Math.min(n, buf.byteSize());
                }
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) {
                    fd.awaitReadable();
                } else if (errno != Errno.EINTR) {
                    throw failure("recv(" + fd.description() + ")", errno);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            fd.release();
        }
    }

    boolean isClosed() {
        return fd.isClosed();
    }

    /** Closes the socket, waking a blocked receiver. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    private IOException failure(String call, int errno) {
        if (errno == Errno.EBADF && fd.isClosed()) {
            return new ClosedChannelException();
        }
        return new LinuxException(call, errno);
    }
}
