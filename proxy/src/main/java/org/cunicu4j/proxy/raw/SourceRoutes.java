package org.cunicu4j.proxy.raw;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_UDP;
import static org.cunicu4j.linux.socket.SocketConstants.SOCK_DGRAM;
import static org.cunicu4j.linux.socket.SocketConstants.SOL_SOCKET;
import static org.cunicu4j.linux.socket.SocketConstants.SO_MARK;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.socket.SockAddr;
import org.cunicu4j.linux.socket.Sockets;

/**
 * Which IPv4 source address the kernel would use towards a destination: a route lookup by
 * connecting an unbound UDP socket (a connect sends nothing; {@code getsockname} then shows
 * the source the routing chose) and disconnecting it again ({@code AF_UNSPEC}). What
 * {@link RawUdpConn} writes into the IPv4 header it builds, so that its UDP checksum covers
 * the address really sent. The socket carries WireGuard's fwmark like the raw socket, so
 * policy routing by mark (a full-tunnel setup routing everything else into WireGuard)
 * answers for the path the STUN datagram really takes.
 *
 * <p>The socket is opened in the calling thread's network namespace and keeps it. Owns it;
 * thread-safe (one lookup at a time); nothing is allocated per lookup.
 */
final class SourceRoutes implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SourceRoutes.class.getName());
    private static final int DISCARD_PORT = 9;
    private static final MethodHandle CONNECT = Libc.downcall("connect",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Libc.downcall("getsockname",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private final int fd;
    private final MemorySegment to;
    private final MemorySegment local;
    private final MemorySegment localLen;
    private final MemorySegment unspec;
    private final byte[] addr = new byte[4];
    private boolean closed;

    private SourceRoutes(int fd) {
        this.fd = fd;
        Arena arena = Arena.ofAuto();
        this.to = arena.allocate(SockAddr.MAX_SIZE, 8);
        this.local = arena.allocate(SockAddr.MAX_SIZE, 8);
        this.localLen = arena.allocate(ValueLayout.JAVA_INT);
        this.unspec = arena.allocate(SockAddr.MAX_SIZE, 8); // all zero: sa_family AF_UNSPEC
    }

    /** @param fwmark WireGuard's fwmark (0: none), set on the lookup socket */
    static SourceRoutes open(int fwmark) throws IOException {
        int fd = Sockets.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        if (fwmark != 0) {
            try {
                Sockets.setInt(fd, SOL_SOCKET, SO_MARK, fwmark);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "source address lookups without fwmark 0x{0}: {1}",
                        Integer.toHexString(fwmark), e.getMessage());
            }
        }
        return new SourceRoutes(fd);
    }

    /**
     * Writes into {@code out4} the source address for {@code dst4}.
     *
     * @return false when there is no route (or the lookup failed otherwise)
     */
    synchronized boolean source(byte[] dst4, byte[] out4) {
        if (closed) {
            return false;
        }
        try {
            int len = SockAddr.encode(to, AF_INET, dst4, 0, 4, DISCARD_PORT);
            int rc = (int) CONNECT.invokeExact(Libc.errnoState(), fd, to, len);
            if (rc < 0) {
                return false;
            }
            localLen.set(ValueLayout.JAVA_INT, 0, SockAddr.MAX_SIZE);
            rc = (int) GETSOCKNAME.invokeExact(Libc.errnoState(), fd, local, localLen);
            int ignored = (int) CONNECT.invokeExact(Libc.errnoState(), fd, unspec, (int) ValueLayout.JAVA_SHORT.byteSize());
            if (rc < 0 || SockAddr.family(local) != AF_INET) {
                return false;
            }
            SockAddr.address(local, addr, 0);
            if ((addr[0] | addr[1] | addr[2] | addr[3]) == 0) {
                return false;
            }
            System.arraycopy(addr, 0, out4, 0, 4);
            return true;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.closeQuietly(fd);
        }
    }
}
