package org.cunicu4j.linux.netlink;

import static org.cunicu4j.linux.socket.SocketConstants.MSG_DONTWAIT;
import static org.cunicu4j.linux.socket.SocketConstants.MSG_TRUNC;
import static org.cunicu4j.linux.socket.SocketConstants.SOCK_RAW;

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
import org.cunicu4j.linux.socket.Sockets;

/**
 * An {@code AF_NETLINK} socket talking to the kernel, created in the calling thread's
 * network namespace. Blocking receives wait on a {@link WakeableFd}, so {@link #close()}
 * wakes them.
 *
 * <p>Threading: one sender and one receiver at a time; {@link #close()} from any thread.
 */
final class NetlinkSocket implements AutoCloseable {
    private static final MethodHandle SENDTO = Libc.downcall("sendto",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = Libc.downcall("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));

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
        int s = Sockets.socket(Nl.AF_NETLINK, SOCK_RAW, protocol, protocolName);
        Arena arena = Arena.ofAuto();
        MemorySegment local = arena.allocate(Nl.SOCKADDR_NL);
        local.set(ValueLayout.JAVA_SHORT, Nl.NL_FAMILY, (short) Nl.AF_NETLINK);
        local.set(ValueLayout.JAVA_INT, Nl.NL_GROUPS, groups);
        try {
            Sockets.bind(s, local, (int) Nl.SOCKADDR_NL.byteSize());
        } catch (LinuxException e) {
            Libc.closeQuietly(s);
            throw new LinuxException("bind(" + protocolName + ", groups 0x" + Integer.toHexString(groups) + ")",
                    e.errno());
        }
        // Best effort: older kernels lack these, and the socket works without them.
        setQuietly(s, Nl.NETLINK_CAP_ACK);
        setQuietly(s, Nl.NETLINK_EXT_ACK);
        MemorySegment kernel = arena.allocate(Nl.SOCKADDR_NL);
        kernel.set(ValueLayout.JAVA_SHORT, Nl.NL_FAMILY, (short) Nl.AF_NETLINK);
        return new NetlinkSocket(new WakeableFd(s, "netlink " + protocolName), kernel); // closes s if it fails
    }

    private static void setQuietly(int s, int option) {
        try {
            Sockets.setInt(s, Nl.SOL_NETLINK, option, 1);
        } catch (LinuxException ignored) {
            // the kernel predates the option
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
                    throw fd.failure("sendto(" + fd.description() + ", " + what + ")", errno);
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
                    throw fd.failure("recv(" + fd.description() + ")", errno);
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

}
