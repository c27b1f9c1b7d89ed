package org.cunicu4j.linux.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;

/**
 * The routes of one routing table with their {@code rtm_protocol}, for a daemon that keeps its
 * own routes apart from everyone else's (as a routing daemon does with {@code proto bird}):
 * {@link #routes()} lists the table's IPv4 and IPv6 unicast routes, {@link #add} installs a
 * route tagged with a protocol number (never replacing someone's route), {@link #remove}
 * deletes one, and {@link #watch} follows the table's changes on a thread of its own.
 *
 * <p>The socket belongs to the network namespace of the thread calling {@link #open}; so does
 * a watch's, of the thread calling {@link #watch}. Requests are serialised; thread-safe.
 * Parsing never trusts the kernel's bytes: malformed messages are counted and skipped.
 */
public final class RouteTable implements AutoCloseable {
    static final int RTMGRP_IPV4_ROUTE = 0x40;
    static final int RTMGRP_IPV6_ROUTE = 0x400;
    static final short NLM_F_CREATE = 0x400;
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int REQUEST_BUFFER = 512;

    private final long table;
    private final NetlinkSocket socket;
    private final MessageWriter writer;
    private final MemorySegment rx;
    private final MessageCursor cursor = new MessageCursor();
    private final AttrCursor attrs = new AttrCursor();
    private int seq;
    private long malformed;

    private RouteTable(long table, NetlinkSocket socket) {
        this.table = table;
        this.socket = socket;
        Arena arena = Arena.ofAuto();
        this.writer = new MessageWriter(arena.allocate(REQUEST_BUFFER, 8));
        this.rx = arena.allocate(RECEIVE_BUFFER, 8);
        this.seq = (int) (System.nanoTime() & 0x7fff_ffff);
    }

    /** Table {@code table} (1..2^32-1; {@link Route#TABLE_MAIN} is 254) of the calling thread's network namespace. */
    public static RouteTable open(long table) throws LinuxException {
        if (table < 1 || table > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("routing table must be 1..4294967295, got " + table);
        }
        return new RouteTable(table, NetlinkSocket.open(Nl.NETLINK_ROUTE, "NETLINK_ROUTE", 0));
    }

    public long table() {
        return table;
    }

    /** The table's unicast routes, IPv4 then IPv6. */
    public synchronized List<RouteChange> routes() throws IOException {
        List<RouteChange> out = new ArrayList<>();
        for (byte family : new byte[] {Nl.AF_INET, Nl.AF_INET6}) {
            writer.begin(RouteParser.RTM_GETROUTE, (short) (Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP), ++seq);
            long rtm = writer.reserve(Nl.RTMSG_LEN);
            writer.putByte(rtm + Nl.RTM_FAMILY, family);
            exchange("RTM_GETROUTE(dump " + (family == Nl.AF_INET ? "inet" : "inet6") + ", table " + table + ")", true, m -> {
                RouteChange c = decode(m, attrs, false);
                if (c == null) {
                    if (m.type() == Nl.RTM_NEWROUTE) {
                        malformed++;
                    }
                } else if (c.route().table() == table && c.entry().isUnicast()) {
                    out.add(c);
                }
            });
        }
        return out;
    }

    /**
     * Installs {@code route} in this table tagged with {@code protocol}; EEXIST when the table
     * has a route to the same destination (and metric) already, whoever installed it.
     *
     * @throws IllegalArgumentException when the route is for another table or names neither gateway nor interface
     */
    public synchronized void add(Route route, int protocol) throws IOException {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("route protocol must be 0..255, got " + protocol);
        }
        request(Nl.RTM_NEWROUTE, (short) (Nl.NLM_F_ACK | NLM_F_CREATE | Nl.NLM_F_EXCL), route, protocol);
    }

    /**
     * Deletes {@code route} from this table if it is tagged {@code protocol} (the kernel matches
     * destination, gateway, interface and protocol; 0 would match any protocol, so an
     * administrator's equal route could go instead of ours); ESRCH when it has no such route.
     */
    public synchronized void remove(Route route, int protocol) throws IOException {
        if (protocol < 1 || protocol > 255) {
            throw new IllegalArgumentException("route protocol must be 1..255, got " + protocol);
        }
        request(Nl.RTM_DELROUTE, Nl.NLM_F_ACK, route, protocol);
    }

    /** Replies that could not be parsed and were skipped. */
    public synchronized long malformedMessages() {
        return malformed;
    }

    /**
     * Follows this table's route changes in the calling thread's namespace: {@code listener}
     * gets each added ({@code removed == false}) or removed unicast route of the table, and
     * {@code onOverrun} is run when the kernel dropped changes (then list {@link #routes()}
     * again). Both are called on the watch's own platform thread, one at a time. A watch that
     * stops on an error is seen only in {@link Watch#failure()}: prefer the overload with
     * {@code onFailure}.
     */
    public Watch watch(Consumer<? super RouteChange> listener, Runnable onOverrun) throws LinuxException {
        return watch(listener, onOverrun, e -> { });
    }

    /**
     * As {@link #watch(Consumer, Runnable)}, and {@code onFailure} gets the error when the watch
     * stops on its own (a receive that failed for another reason than an overrun): called once,
     * on the watch's thread, which then ends; changes are no longer followed. Not called after
     * {@link Watch#close()}.
     */
    public Watch watch(Consumer<? super RouteChange> listener, Runnable onOverrun, Consumer<? super IOException> onFailure)
            throws LinuxException {
        Watch w = new Watch(table, NetlinkSocket.open(Nl.NETLINK_ROUTE, "NETLINK_ROUTE",
                RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE), listener, onOverrun, onFailure);
        w.thread.start();
        return w;
    }

    @Override
    public void close() {
        socket.close();
    }

    private void request(short type, short flags, Route r, int protocol) throws IOException {
        if (r.table() != table) {
            throw new IllegalArgumentException("route " + r + " is not for table " + table);
        }
        if (r.gateway() == null && r.linkIndex() == 0) {
            throw new IllegalArgumentException("route " + r + " needs a gateway or an interface");
        }
        boolean add = type == Nl.RTM_NEWROUTE;
        writer.begin(type, (short) (Nl.NLM_F_REQUEST | flags), ++seq);
        long rtm = writer.reserve(Nl.RTMSG_LEN);
        writer.putByte(rtm + Nl.RTM_FAMILY, r.destination() instanceof Inet4Address ? Nl.AF_INET : Nl.AF_INET6);
        writer.putByte(rtm + Nl.RTM_DST_LEN, r.prefixLength());
        writer.putByte(rtm + Nl.RTM_TABLE, table < 256 ? (int) table : Nl.RT_TABLE_UNSPEC);
        writer.putByte(rtm + Nl.RTM_PROTOCOL, protocol);
        writer.putByte(rtm + Nl.RTM_SCOPE, !add ? Nl.RT_SCOPE_NOWHERE
                : r.gateway() == null ? Nl.RT_SCOPE_LINK : Nl.RT_SCOPE_UNIVERSE);
        writer.putByte(rtm + Nl.RTM_TYPE, add ? Nl.RTN_UNICAST : 0);
        writer.attrInt(Nl.RTA_TABLE, (int) table);
        writer.attr(Nl.RTA_DST, r.destination().getAddress());
        if (r.gateway() != null) {
            writer.attr(Nl.RTA_GATEWAY, r.gateway().getAddress());
        }
        if (r.linkIndex() > 0) {
            writer.attrInt(Nl.RTA_OIF, r.linkIndex());
        }
        exchange(Nl.typeName(type) + "(" + r + " proto " + protocol + ")", false, m -> { });
    }

    /** The route in an RTM_NEWROUTE/RTM_DELROUTE message with its protocol, or null if it is none or malformed. */
    static RouteChange decode(MessageCursor m, AttrCursor attrs, boolean removed) {
        if (m.type() != Nl.RTM_NEWROUTE && m.type() != Nl.RTM_DELROUTE) {
            return null;
        }
        RouteEntry e = RouteParser.route(m, attrs);
        if (e == null) {
            return null;
        }
        int protocol = Byte.toUnsignedInt(m.buf().get(ValueLayout.JAVA_BYTE, m.payload() + Nl.RTM_PROTOCOL));
        return new RouteChange(removed || m.type() == Nl.RTM_DELROUTE, e, protocol);
    }

    private void exchange(String what, boolean dump, Consumer<MessageCursor> replies) throws IOException {
        int mySeq = seq;
        socket.send(writer.buf(), writer.finish(), what);
        while (true) {
            int n = socket.receive(rx);
            cursor.reset(rx, n);
            while (cursor.next()) {
                if (cursor.seq() != mySeq) {
                    continue;
                }
                switch (cursor.type()) {
                    case Nl.NLMSG_NOOP -> { }
                    case Nl.NLMSG_ERROR -> {
                        int error = cursor.payloadLength() >= 4 ? rx.get(ValueLayout.JAVA_INT_UNALIGNED, cursor.payload()) : -Errno.EIO;
                        if (error == 0) {
                            return;
                        }
                        throw failure(what, -error);
                    }
                    case Nl.NLMSG_DONE -> {
                        if (dump) {
                            int error = cursor.payloadLength() >= 4 ? rx.get(ValueLayout.JAVA_INT_UNALIGNED, cursor.payload()) : 0;
                            if (error < 0) {
                                throw failure(what, -error);
                            }
                            return;
                        }
                    }
                    default -> replies.accept(cursor);
                }
            }
            if (cursor.malformed()) {
                malformed++;
            }
        }
    }

    private LinuxException failure(String what, int errno) {
        String hint = switch (errno) {
            case Errno.EPERM -> RtNetlink.CAP_HINT;
            case Errno.ESRCH -> what.startsWith("RTM_DELROUTE") ? "the table has no such route" : null;
            case Errno.ENODEV -> "no such interface in this network namespace";
            default -> null;
        };
        return new LinuxException(what, errno, Nl.withKernelMessage(hint, Nl.extAckMessage(rx, cursor, attrs)));
    }

    /**
     * A running watch of a {@link RouteTable}'s changes; {@link #close()} stops its thread.
     * Malformed messages are counted, a listener that throws is counted and keeps receiving.
     */
    public static final class Watch implements AutoCloseable {
        private final long table;
        private final NetlinkSocket socket;
        private final Consumer<? super RouteChange> listener;
        private final Runnable onOverrun;
        private final Consumer<? super IOException> onFailure;
        private final Thread thread;
        private final MessageCursor cursor = new MessageCursor();
        private final AttrCursor attrs = new AttrCursor();
        private final AtomicLong malformed = new AtomicLong();
        private final AtomicLong overruns = new AtomicLong();
        private final AtomicLong listenerFailures = new AtomicLong();
        private volatile IOException failure;

        private Watch(long table, NetlinkSocket socket, Consumer<? super RouteChange> listener, Runnable onOverrun,
                Consumer<? super IOException> onFailure) {
            this.table = table;
            this.socket = socket;
            this.listener = listener;
            this.onOverrun = onOverrun;
            this.onFailure = onFailure;
            this.thread = Thread.ofPlatform().name("route-watch-" + table).daemon().unstarted(this::run);
        }

        private void run() {
            MemorySegment rx = Arena.ofAuto().allocate(RECEIVE_BUFFER, 8);
            while (true) {
                int n;
                try {
                    n = socket.receive(rx);
                } catch (ClosedChannelException e) {
                    return;
                } catch (LinuxException e) {
                    if (e.errno() == Errno.ENOBUFS) {
                        overruns.incrementAndGet();
                        call(onOverrun);
                        continue;
                    }
                    stopped(e);
                    return;
                } catch (IOException e) {
                    stopped(e);
                    return;
                }
                cursor.reset(rx, n);
                while (cursor.next()) {
                    RouteChange c;
                    try {
                        c = decode(cursor, attrs, false);
                    } catch (IndexOutOfBoundsException e) {
                        c = null;
                    }
                    if (c == null) {
                        if (cursor.type() == Nl.RTM_NEWROUTE || cursor.type() == Nl.RTM_DELROUTE) {
                            malformed.incrementAndGet();
                        }
                    } else if (c.route().table() == table && c.entry().isUnicast()) {
                        RouteChange change = c;
                        call(() -> listener.accept(change));
                    }
                }
                if (cursor.malformed()) {
                    malformed.incrementAndGet();
                }
            }
        }

        private void stopped(IOException e) {
            failure = e;
            call(() -> onFailure.accept(e));
        }

        private void call(Runnable r) {
            try {
                r.run();
            } catch (RuntimeException e) {
                listenerFailures.incrementAndGet();
            }
        }

        public long malformedMessages() {
            return malformed.get();
        }

        public long overruns() {
            return overruns.get();
        }

        public long listenerFailures() {
            return listenerFailures.get();
        }

        /** Why the thread stopped on its own; null while it runs or after {@link #close()}. */
        public IOException failure() {
            return failure;
        }

        /** Stops the thread (waiting for it unless called from the listener) and closes the socket. Idempotent. */
        @Override
        public void close() {
            socket.close();
            if (Thread.currentThread() != thread) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
