package org.cunicu4j.wireguard.conn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.linux.socket.SockAddr;
import org.cunicu4j.linux.socket.UdpSocket;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.PacketQueue;
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
 * ({@link PacketClassifier}); every other datagram goes, as the {@link UdpBindOptions}
 * say, to a {@link ForeignPacketHandler} on the receive thread, or into a bounded queue per
 * family that the sharer reads with {@link #sharedConn}'s {@code receive}, or, with
 * neither, is dropped and counted. The sharer sends through {@link #sharedConn}, on the
 * very same sockets, so its datagrams leave from the Bind's port. This is how an ICE agent
 * and this Bind share a port without any kernel round trip: with a queue, {@code
 * sharedConn(INET)} is an ordinary {@link PacketConn} to hand to a mux. The shared conns
 * exist from construction on (before {@link #open}), so a handler may forward to something
 * built on them afterwards:
 * <pre>{@code
 * UdpMux[] mux = new UdpMux[2];
 * UdpBind bind = new UdpBind(UdpBindOptions.defaults().withForeignHandler(
 *         (batch, slot, family) -> mux[family == INET ? 0 : 1].dispatch(batch, slot)));
 * mux[0] = UdpMux.builder(bind.sharedConn(INET)).ownsConn(false).fed();
 * mux[1] = UdpMux.builder(bind.sharedConn(INET6)).ownsConn(false).fed();
 * }</pre>
 *
 * <p>Threading: {@link #open}, {@link #close} and {@link #setMark} are serialised on this
 * object (the control path); the receive functions (one thread each) and {@link #send}
 * (any number of threads) run concurrently with each other and allocate nothing per
 * datagram. A receive function belongs to the sockets of the {@link #open} that returned
 * it: after {@link #close} or a re-open it throws {@link ClosedChannelException}.
 */
public final class UdpBind implements Bind {

    /** Bytes per foreign queue slot: a datagram of ICE's (STUN, TURN ChannelData around a WireGuard packet) fits. */
    static final int FOREIGN_SLOT_SIZE = 2048;

    private final UdpBindOptions options;
    private final SocketPair.Opener opener;
    private final ForeignPacketHandler handler;
    private final PacketQueue queue4;
    private final PacketQueue queue6;
    private final SharedConn shared4 = new SharedConn(StandardProtocolFamily.INET);
    private final SharedConn shared6 = new SharedConn(StandardProtocolFamily.INET6);

    private volatile UdpPacketConn conn4;
    private volatile UdpPacketConn conn6;
    private volatile boolean open;
    /** True until the first open, after close() and after a failed open; false while re-opening. */
    private volatile boolean closed = true;
    private int port;
    private int mark;

    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder foreignReceived = new LongAdder();
    private final LongAdder foreignSent = new LongAdder();
    private final LongAdder droppedForeign = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();
    private final LongAdder foreignQueueFull = new LongAdder();
    private final LongAdder noSocket = new LongAdder();
    /** Counts of the connections closed so far (guarded by this). */
    private long retiredTooLong;
    private long retiredRefused;

    /** A Bind with {@link UdpBindOptions#defaults()}: non-WireGuard datagrams are dropped. */
    public UdpBind() {
        this(UdpBindOptions.defaults());
    }

    public UdpBind(UdpBindOptions options) {
        this(options, SocketPair::openBound);
    }

    UdpBind(UdpBindOptions options, SocketPair.Opener opener) {
        this.options = Objects.requireNonNull(options, "options");
        this.opener = opener;
        this.handler = options.foreignHandler();
        this.queue4 = options.foreignQueue() > 0 ? new PacketQueue(options.foreignQueue(), FOREIGN_SLOT_SIZE) : null;
        this.queue6 = options.foreignQueue() > 0 ? new PacketQueue(options.foreignQueue(), FOREIGN_SLOT_SIZE) : null;
    }

    @Override
    public synchronized Opened open(int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        closed = false; // sends from now on until the new sockets are in are refused and counted, not thrown
        closeSockets();
        SocketPair pair;
        try {
            pair = SocketPair.open(opener, port, options.socketBufferSize(), mark);
        } catch (IOException | RuntimeException e) {
            closed = true;
            throw e;
        }
        UdpPacketConn c4 = pair.v4() == null ? null : UdpPacketConn.of(pair.v4());
        UdpPacketConn c6 = pair.v6() == null ? null : UdpPacketConn.of(pair.v6());
        List<ReceiveFunc> receivers = new ArrayList<>(2);
        if (c4 != null) {
            receivers.add(new Receiver(c4, StandardProtocolFamily.INET));
        }
        if (c6 != null) {
            receivers.add(new Receiver(c6, StandardProtocolFamily.INET6));
        }
        conn4 = c4;
        conn6 = c6;
        this.port = pair.port();
        open = true;
        return new Opened(receivers, pair.port());
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
            refuse(n);
            return;
        }
        byte[] raw = ep.rawAddress();
        int port = ep.port();
        for (int i = 0; i < n; i++) {
            batch.setAddress(i, raw, 0, raw.length, port);
        }
        try {
            conn.send(batch);
        } catch (ClosedChannelException e) {
            refuse(n); // the sockets were replaced under us by a re-open (or the Bind closed: then this throws)
            return;
        }
        sent.add(n);
    }

    /** Counts {@code n} datagrams that had no socket, or throws once the Bind is closed. */
    private void refuse(int n) throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        noSocket.add(n);
        sent.add(n);
    }

    @Override
    public Endpoint parseEndpoint(String text) {
        return UdpEndpoint.parse(text);
    }

    @Override
    public Endpoint endpointOf(PacketBatch batch, int slot) {
        byte[] addr = batch.addressBytes(slot);
        if (batch.addressLength(slot) == 16 && SockAddr.isLinkLocal(addr, 0)) {
            return null; // the receiving interface is not kept, so a send there would go nowhere
        }
        return UdpEndpoint.of(addr, 0, batch.addressLength(slot), batch.port(slot));
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
     * The sharer's {@link PacketConn} on this Bind's socket of {@code family} (one per
     * family, the same object every time), following the socket across re-opens.
     *
     * <p>{@code send} puts each slot to its own address, from the Bind's port; while the
     * Bind has no socket of that family (closed, being re-opened, or the host lacks the
     * family) datagrams are counted in {@link BindCounters#sendRefused()} and skipped.
     * {@code receive} returns the datagrams that are not WireGuard when the options ask for
     * a {@linkplain UdpBindOptions#withForeignQueue foreign queue} (and blocks across
     * re-opens of the Bind); without a queue it throws {@link UnsupportedOperationException}
     * (the handler gets them instead). The conn belongs to the sharer: its {@code close()}
     * ends its receive and send for good (they then throw {@link ClosedChannelException})
     * and leaves the sockets to the Bind.
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
        // a queue's tooBig: longer than its slots (TOO_LONG on offer) or than the taker's
        long tooLong = retiredTooLong + (queue4 == null ? 0 : queue4.tooBig() + queue6.tooBig());
        long refused = retiredRefused + noSocket.sum();
        for (UdpPacketConn c : new UdpPacketConn[] {conn4, conn6}) {
            if (c != null) {
                tooLong += c.truncatedDrops();
                refused += c.sendErrors();
            }
        }
        return new BindCounters(received.sum(), sent.sum(), foreignReceived.sum(), foreignSent.sum(),
                droppedForeign.sum(), foreignQueueFull.sum(), tooLong, refused, handlerErrors.sum());
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeSockets();
    }

    private void closeSockets() {
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
                        handOver(batch, i);
                    }
                }
                if (kept > 0) {
                    batch.setCount(kept);
                    received.add(kept);
                    return kept;
                }
            }
        }

        private void handOver(PacketBatch batch, int slot) {
            if (handler != null) {
                foreignReceived.increment();
                try {
                    handler.handle(batch, slot, family);
                } catch (RuntimeException e) {
                    handlerErrors.increment();
                }
                return;
            }
            PacketQueue queue = family == StandardProtocolFamily.INET ? queue4 : queue6;
            if (queue == null) {
                droppedForeign.increment();
                return;
            }
            ByteBuffer buf = batch.buffer(slot);
            switch (queue.offer(buf, buf.position(), buf.remaining(), batch.addressBytes(slot), batch.addressLength(slot), batch.port(slot))) {
                case ACCEPTED -> foreignReceived.increment();
                case FULL -> foreignQueueFull.increment();
                case TOO_LONG -> { } // in droppedTooLong through the queue's tooBig()
                case CLOSED -> droppedForeign.increment();
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
        private volatile boolean closed;

        SharedConn(StandardProtocolFamily family) {
            this.family = family;
        }

        private PacketQueue queue() {
            return family == StandardProtocolFamily.INET ? queue4 : queue6;
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            PacketQueue queue = queue();
            if (queue == null) {
                throw new UnsupportedOperationException("this UdpBind hands datagrams that are not WireGuard to "
                        + (handler != null ? "its ForeignPacketHandler" : "no one (no foreign queue in its options)"));
            }
            return queue.take(batch);
        }

        @Override
        public int send(PacketBatch batch) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            UdpPacketConn c = family == StandardProtocolFamily.INET ? conn4 : conn6;
            int n = batch.count();
            if (c == null) {
                noSocket.add(n);
                return n;
            }
            try {
                c.send(batch);
                foreignSent.add(n);
            } catch (ClosedChannelException e) {
                noSocket.add(n); // the Bind closed or re-opened under us
            }
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

        /** Ends this conn for the sharer (waking a blocked receive); the sockets stay the Bind's. */
        @Override
        public void close() {
            closed = true;
            PacketQueue queue = queue();
            if (queue != null) {
                queue.close();
            }
        }

        @Override
        public String toString() {
            return "UdpBind.sharedConn[" + family + " " + localAddress() + "]";
        }
    }
}
