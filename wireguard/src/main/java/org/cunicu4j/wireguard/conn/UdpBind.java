package org.cunicu4j.wireguard.conn;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.socket.UdpSocket;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;

/**
 * The default {@link Bind}: one IPv4 and one IPv6 ({@code IPV6_V6ONLY}) UDP socket on the
 * same port, each moved in batches by a {@link UdpPacketConn} ({@code recvmmsg}/{@code
 * sendmmsg} straight into the caller's buffers).
 *
 * <p>Opening on port 0 lets the IPv4 bind choose and binds IPv6 to the same port, trying
 * again with a new port a few times when IPv6 has it taken. A host without IPv6 runs on
 * IPv4 alone (said once in the log); IPv6 endpoints then count as refused sends. Socket
 * buffers are forced large when the process may ({@code CAP_NET_ADMIN}), else asked for
 * with the plain options.
 *
 * <p><b>Sharing the sockets.</b> Each receive function returns only WireGuard datagrams
 * ({@link PacketClassifier}); every other datagram goes to the options' {@link
 * ForeignPacketHandler} on the receive thread, or, without one, is dropped and counted.
 * Whoever owns the handler sends through {@link #sharedConn}, on the very same sockets,
 * so its datagrams leave from the Bind's port. This is how an ICE agent and this Bind share
 * a port without any kernel round trip.
 *
 * <p>Threading: {@link #open}, {@link #close} and {@link #setMark} are serialised on this
 * object (the control path); the receive functions (one thread each) and {@link #send}
 * (any number of threads) run concurrently with each other and allocate nothing per
 * datagram. A receive function belongs to the sockets of the {@link #open} that returned
 * it: after {@link #close} or a re-open it throws {@link ClosedChannelException}.
 */
public final class UdpBind implements Bind {

    private static final System.Logger LOG = System.getLogger(UdpBind.class.getName());
    /** Attempts at finding a port 0 that is free on both families. */
    static final int PORT_ATTEMPTS = 5;

    /** Opens a socket of a family bound to a port on the wildcard address (IPv6: V6ONLY). */
    @FunctionalInterface
    interface SocketOpener {
        UdpSocket open(int family, int port) throws IOException;
    }

    private final UdpBindOptions options;
    private final SocketOpener opener;
    private final ForeignPacketHandler handler;
    private final SharedConn shared4 = new SharedConn(StandardProtocolFamily.INET);
    private final SharedConn shared6 = new SharedConn(StandardProtocolFamily.INET6);

    private volatile UdpPacketConn conn4;
    private volatile UdpPacketConn conn6;
    private volatile boolean open;
    private int port;
    private int mark;

    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder foreignReceived = new LongAdder();
    private final LongAdder foreignSent = new LongAdder();
    private final LongAdder droppedForeign = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();
    private final LongAdder noSocket = new LongAdder();
    /** Counts of the connections closed so far (guarded by this). */
    private long retiredTooLong;
    private long retiredRefused;

    /** A Bind with {@link UdpBindOptions#defaults()}: non-WireGuard datagrams are dropped. */
    public UdpBind() {
        this(UdpBindOptions.defaults());
    }

    public UdpBind(UdpBindOptions options) {
        this(options, UdpBind::openBound);
    }

    UdpBind(UdpBindOptions options, SocketOpener opener) {
        this.options = Objects.requireNonNull(options, "options");
        this.opener = opener;
        this.handler = options.foreignHandler();
    }

    @Override
    public synchronized Opened open(int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        closeLocked();
        LinuxException inUse = null;
        for (int attempt = 0; attempt < (port == 0 ? PORT_ATTEMPTS : 1); attempt++) {
            UdpSocket s4 = null;
            UdpSocket s6 = null;
            try {
                s4 = opener.open(AF_INET, port);
            } catch (LinuxException e) {
                if (!familyUnavailable(e)) {
                    throw new IOException("cannot bind UDP port " + port + " on IPv4: " + e.getMessage(), e);
                }
                LOG.log(System.Logger.Level.INFO, "IPv4 is not available on this host ({0}): WireGuard runs on IPv6 only", e.getMessage());
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
                if (!familyUnavailable(e) || s4 == null) {
                    closeQuietly(s4);
                    throw new IOException("cannot bind UDP port " + actual + " on IPv6"
                            + (port == 0 && s4 != null ? " (the port IPv4 chose)" : "") + ": " + e.getMessage(), e);
                }
                LOG.log(System.Logger.Level.INFO, "IPv6 is not available on this host ({0}): WireGuard runs on IPv4 only", e.getMessage());
            } catch (IOException | RuntimeException e) {
                closeQuietly(s4);
                throw e;
            }
            if (s6 != null && s4 == null) {
                actual = s6.localAddress().getPort();
            }
            try {
                configure(s4);
                configure(s6);
            } catch (IOException | RuntimeException e) {
                closeQuietly(s4);
                closeQuietly(s6);
                throw e;
            }
            UdpPacketConn c4 = s4 == null ? null : UdpPacketConn.of(s4);
            UdpPacketConn c6 = s6 == null ? null : UdpPacketConn.of(s6);
            List<ReceiveFunc> receivers = new ArrayList<>(2);
            if (c4 != null) {
                receivers.add(new Receiver(c4, StandardProtocolFamily.INET));
            }
            if (c6 != null) {
                receivers.add(new Receiver(c6, StandardProtocolFamily.INET6));
            }
            conn4 = c4;
            conn6 = c6;
            this.port = actual;
            open = true;
            return new Opened(receivers, actual);
        }
        throw new IOException("cannot bind one UDP port on both IPv4 and IPv6: each of the " + PORT_ATTEMPTS
                + " ports IPv4 chose was taken on IPv6; last: " + inUse.getMessage(), inUse);
    }

    private static boolean familyUnavailable(LinuxException e) {
        return e.errno() == Errno.EAFNOSUPPORT || e.errno() == Errno.EADDRNOTAVAIL;
    }

    /** The default {@link SocketOpener}: the wildcard address, IPv6 without IPv4. */
    static UdpSocket openBound(int family, int port) throws IOException {
        UdpSocket s = UdpSocket.open(family);
        try {
            if (family == AF_INET6) {
                s.setDualStack(false);
            }
            s.bind(new InetSocketAddress(wildcard(family), port));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void configure(UdpSocket s) throws IOException {
        if (s == null) {
            return;
        }
        int size = options.socketBufferSize();
        if (size > 0) {
            try {
                s.setReceiveBufferSize(size, true);
                s.setSendBufferSize(size, true);
            } catch (LinuxException e) {
                if (e.errno() != Errno.EPERM) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, "no CAP_NET_ADMIN to force socket buffers ({0}); asking for {1} bytes within rmem_max/wmem_max",
                        e.getMessage(), size);
                s.setReceiveBufferSize(size, false);
                s.setSendBufferSize(size, false);
            }
        }
        if (mark != 0) {
            s.setMark(mark);
        }
    }

    @Override
    public void send(PacketBatch batch, Endpoint endpoint) throws IOException {
        if (!(endpoint instanceof UdpEndpoint ep)) {
            throw new IllegalArgumentException("UdpBind sends to its own UdpEndpoints, not to a "
                    + (endpoint == null ? "null endpoint" : endpoint.getClass().getName()));
        }
        UdpPacketConn conn = ep.isIpv4() ? conn4 : conn6;
        int n = batch.count();
        if (conn == null || ep.isLinkLocal()) {
            if (!open) {
                throw new ClosedChannelException();
            }
            noSocket.add(n);
            sent.add(n);
            return;
        }
        byte[] raw = ep.rawAddress();
        int port = ep.port();
        for (int i = 0; i < n; i++) {
            batch.setAddress(i, raw, 0, raw.length, port);
        }
        conn.send(batch);
        sent.add(n);
    }

    @Override
    public Endpoint parseEndpoint(String text) {
        return UdpEndpoint.parse(text);
    }

    @Override
    public Endpoint endpointOf(PacketBatch batch, int slot) {
        return UdpEndpoint.of(batch.addressBytes(slot), 0, batch.addressLength(slot), batch.port(slot));
    }

    @Override
    public synchronized void setMark(int mark) throws IOException {
        this.mark = mark;
        UdpPacketConn c4 = conn4;
        UdpPacketConn c6 = conn6;
        if (c4 != null) {
            c4.socket().setMark(mark);
        }
        if (c6 != null) {
            c6.socket().setMark(mark);
        }
    }

    @Override
    public int batchSize() {
        return options.batchSize();
    }

    /**
     * A {@link PacketConn} that sends on this Bind's socket of {@code family}, following it
     * across re-opens, for the owner of the {@link ForeignPacketHandler}: each slot goes to
     * its own address, from the Bind's port. It does not receive (datagrams reach the
     * handler instead: {@link PacketConn#receive} throws {@link UnsupportedOperationException}),
     * and closing it does nothing (the Bind owns the sockets). Sending while the Bind is
     * closed, or on a family the host lacks, throws {@link ClosedChannelException}.
     */
    public PacketConn sharedConn(StandardProtocolFamily family) {
        return switch (family) {
            case INET -> shared4;
            case INET6 -> shared6;
            default -> throw new IllegalArgumentException("UdpBind has IPv4 and IPv6 sockets, not " + family);
        };
    }

    /** The port of the current {@link #open}, or 0 when closed. */
    public synchronized int port() {
        return open ? port : 0;
    }

    /** True when the host had IPv6 at the last {@link #open} (false while closed). */
    public boolean hasIpv6() {
        return conn6 != null;
    }

    /** The socket of {@code family} of the current open, or null (for tests reading options back). */
    UdpSocket socket(StandardProtocolFamily family) {
        UdpPacketConn c = family == StandardProtocolFamily.INET ? conn4 : conn6;
        return c == null ? null : c.socket();
    }

    /** The counts since this Bind was made. */
    public synchronized BindCounters counters() {
        long tooLong = retiredTooLong;
        long refused = retiredRefused + noSocket.sum();
        for (UdpPacketConn c : new UdpPacketConn[] {conn4, conn6}) {
            if (c != null) {
                tooLong += c.truncatedDrops();
                refused += c.sendErrors();
            }
        }
        return new BindCounters(received.sum(), sent.sum(), foreignReceived.sum(), foreignSent.sum(),
                droppedForeign.sum(), tooLong, refused, handlerErrors.sum());
    }

    @Override
    public synchronized void close() {
        closeLocked();
    }

    private void closeLocked() {
        open = false;
        for (UdpPacketConn c : new UdpPacketConn[] {conn4, conn6}) {
            if (c != null) {
                c.close();
                retiredTooLong += c.truncatedDrops();
                retiredRefused += c.sendErrors();
            }
        }
        conn4 = null;
        conn6 = null;
    }

    private static void closeQuietly(UdpSocket s) {
        if (s != null) {
            s.close();
        }
    }

    @Override
    public synchronized String toString() {
        if (!open) {
            return "UdpBind[closed]";
        }
        return "UdpBind[port " + port + (conn4 != null ? " IPv4" : "") + (conn6 != null ? " IPv6" : "") + "]";
    }

    /** One socket's receive function: WireGuard datagrams back, the rest to the handler. */
    private final class Receiver implements ReceiveFunc {
        private final UdpPacketConn conn;
        private final StandardProtocolFamily family;

        Receiver(UdpPacketConn conn, StandardProtocolFamily family) {
            this.conn = conn;
            this.family = family;
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            while (true) {
                int n = conn.receive(batch);
                int kept = 0;
                int foreign = 0;
                for (int i = 0; i < n; i++) {
                    ByteBuffer buf = batch.buffer(i);
                    if (PacketClassifier.classify(buf) == PacketClassifier.Kind.WIREGUARD) {
                        if (kept != i) {
                            int len = buf.limit();
                            batch.buffer(kept).clear().put(0, buf, 0, len).limit(len);
                            batch.copyAddress(i, batch, kept);
                        }
                        kept++;
                    } else {
                        foreign++;
                        handOver(batch, i);
                    }
                }
                if (foreign > 0) {
                    (handler == null ? droppedForeign : foreignReceived).add(foreign);
                }
                if (kept > 0) {
                    batch.setCount(kept);
                    received.add(kept);
                    return kept;
                }
            }
        }

        private void handOver(PacketBatch batch, int slot) {
            if (handler == null) {
                return;
            }
            try {
                handler.handle(batch, slot, family);
            } catch (RuntimeException e) {
                handlerErrors.increment();
            }
        }

        @Override
        public String toString() {
            return "UdpBind.Receiver[" + conn.localAddress() + "]";
        }
    }

    /** The send-only view of one family's socket given to the handler's owner. */
    private final class SharedConn implements PacketConn {
        private final StandardProtocolFamily family;

        SharedConn(StandardProtocolFamily family) {
            this.family = family;
        }

        private UdpPacketConn current() throws ClosedChannelException {
            UdpPacketConn c = family == StandardProtocolFamily.INET ? conn4 : conn6;
            if (c == null) {
                throw new ClosedChannelException();
            }
            return c;
        }

        @Override
        public int receive(PacketBatch batch) {
            throw new UnsupportedOperationException("datagrams for the sharer of a UdpBind arrive through its ForeignPacketHandler");
        }

        @Override
        public int send(PacketBatch batch) throws IOException {
            int n = current().send(batch);
            foreignSent.add(n);
            return n;
        }

        @Override
        public InetSocketAddress localAddress() {
            UdpPacketConn c = family == StandardProtocolFamily.INET ? conn4 : conn6;
            return c == null ? null : c.localAddress();
        }

        @Override
        public int preferredBatchSize() {
            return options.batchSize();
        }

        /** Does nothing: the Bind owns its sockets. */
        @Override
        public void close() {}

        @Override
        public String toString() {
            return "UdpBind.sharedConn[" + family + " " + localAddress() + "]";
        }
    }

    private static InetAddress wildcard(int family) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[family == AF_INET ? 4 : 16]);
    }
}
