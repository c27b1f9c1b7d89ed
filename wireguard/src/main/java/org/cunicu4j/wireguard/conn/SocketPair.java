package org.cunicu4j.wireguard.conn;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.socket.UdpSocket;

/**
 * The IPv4 and IPv6 ({@code IPV6_V6ONLY}) UDP sockets of one {@link UdpBind#open}, bound to
 * the same port on the wildcard addresses, with their buffers and mark set: how they are
 * found.
 *
 * <p>Port 0 lets the IPv4 bind choose and binds IPv6 to the same port; when IPv6 has that
 * port taken, both are given up and tried again, {@link #PORT_ATTEMPTS} times in all. A
 * family the host lacks ({@code EAFNOSUPPORT}, {@code EADDRNOTAVAIL}) is left out, said
 * once per process in the log (not on every re-open); lacking both is an error. Socket buffers are forced
 * ({@code SO_RCVBUFFORCE}/{@code SO_SNDBUFFORCE}) when the process may, else asked for
 * with the plain options.
 *
 * @param v4 the IPv4 socket, or null without IPv4
 * @param v6 the IPv6 socket, or null without IPv6
 * @param port the port both are bound to
 */
record SocketPair(UdpSocket v4, UdpSocket v6, int port) {

    private static final System.Logger LOG = System.getLogger(UdpBind.class.getName());
    /** Attempts at finding a port 0 that is free on both families. */
    static final int PORT_ATTEMPTS = 5;
    /** Whether this process has said that IPv4 / IPv6 is missing (a host does not grow a family back between re-opens). */
    private static final AtomicBoolean SAID_NO_V4 = new AtomicBoolean();
    private static final AtomicBoolean SAID_NO_V6 = new AtomicBoolean();

    /** Opens a socket of a family bound to a port on the wildcard address (IPv6: V6ONLY); replaced in tests. */
    @FunctionalInterface
    interface Opener {
        UdpSocket open(int family, int port) throws IOException;
    }

    /**
     * Opens the pair on {@code port} (0: any port free on both families).
     *
     * @param bufferSize bytes for each socket's receive and send buffer, 0 to leave them
     * @param mark SO_MARK for both, 0 for none
     * @throws IOException naming the port and the family that failed
     */
    static SocketPair open(Opener opener, int port, int bufferSize, int mark) throws IOException {
        LinuxException inUse = null;
        for (int attempt = 0; attempt < (port == 0 ? PORT_ATTEMPTS : 1); attempt++) {
            UdpSocket s4 = null;
            UdpSocket s6 = null;
            LinuxException noV4 = null;
            try {
                s4 = opener.open(AF_INET, port);
            } catch (LinuxException e) {
                if (!familyUnavailable(e)) {
                    throw new IOException("cannot bind UDP port " + port + " on IPv4: " + e.getMessage(), e);
                }
                noV4 = e;
            }
            int actual = s4 == null ? port : s4.localAddress().getPort();
            try {
                s6 = opener.open(AF_INET6, actual);
            } catch (LinuxException e) {
                if (e.errno() == Errno.EADDRINUSE && port == 0 && s4 != null) {
                    s4.close();
                    inUse = e;
                    continue;
                }
                if (noV4 != null && familyUnavailable(e)) {
                    IOException none = new IOException("cannot bind UDP port " + port + ": neither IPv4 (" + noV4.getMessage()
                            + ") nor IPv6 (" + e.getMessage() + ") is available", e);
                    none.addSuppressed(noV4);
                    throw none;
                }
                if (!familyUnavailable(e)) {
                    closeQuietly(s4);
                    throw new IOException("cannot bind UDP port " + actual + " on IPv6"
                            + (port == 0 && s4 != null ? " (the port IPv4 chose)" : "") + ": " + e.getMessage(), e);
                }
                if (SAID_NO_V6.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.INFO, "IPv6 is not available on this host ({0}): WireGuard runs on IPv4 only", e.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                closeQuietly(s4);
                throw e;
            }
            if (s4 == null) {
                actual = s6.localAddress().getPort();
                if (SAID_NO_V4.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.INFO, "IPv4 is not available on this host ({0}): WireGuard runs on IPv6 only", noV4.getMessage());
                }
            }
            try {
                configure(s4, bufferSize, mark);
                configure(s6, bufferSize, mark);
            } catch (IOException | RuntimeException e) {
                closeQuietly(s4);
                closeQuietly(s6);
                throw e;
            }
            return new SocketPair(s4, s6, actual);
        }
        throw new IOException("cannot bind one UDP port on both IPv4 and IPv6: each of the " + PORT_ATTEMPTS
                + " ports IPv4 chose was taken on IPv6; last: " + inUse.getMessage(), inUse);
    }

    private static boolean familyUnavailable(LinuxException e) {
        return e.errno() == Errno.EAFNOSUPPORT || e.errno() == Errno.EADDRNOTAVAIL;
    }

    /** The default {@link Opener}: the wildcard address, IPv6 without IPv4. */
    static UdpSocket openBound(int family, int port) throws IOException {
        UdpSocket s = UdpSocket.open(family);
        try {
            if (family == AF_INET6) {
                s.setDualStack(false);
            }
            s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[family == AF_INET ? 4 : 16]), port));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static void configure(UdpSocket s, int bufferSize, int mark) throws IOException {
        if (s == null) {
            return;
        }
        if (bufferSize > 0) {
            try {
                s.setReceiveBufferSize(bufferSize, true);
                s.setSendBufferSize(bufferSize, true);
            } catch (LinuxException e) {
                if (e.errno() != Errno.EPERM) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, "no CAP_NET_ADMIN to force socket buffers ({0}); asking for {1} bytes "
                        + "within rmem_max/wmem_max", e.getMessage(), bufferSize);
                s.setReceiveBufferSize(bufferSize, false);
                s.setSendBufferSize(bufferSize, false);
            }
        }
        if (mark != 0) {
            s.setMark(mark);
        }
    }

    private static void closeQuietly(UdpSocket s) {
        if (s != null) {
            s.close();
        }
    }
}
