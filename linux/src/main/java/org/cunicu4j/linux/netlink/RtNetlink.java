package org.cunicu4j.linux.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;

/**
 * An rtnetlink client in the network namespace of the thread that {@linkplain #open() opened}
 * it: links, addresses and routes, through acknowledged requests with sequence numbers and
 * multipart dumps.
 *
 * <p>A kernel refusal becomes a {@link LinuxException} naming the request, e.g.
 * {@code RTM_NEWADDR(dev 7, 10.0.0.1/24): EEXIST (File exists)}, with the kernel's extended
 * ack message or a hint after " — " where there is one.
 *
 * <p>Threading: every request is synchronized, so one client may be shared; requests from
 * different threads run one after another. {@link #close()} may be called from any thread.
 */
public final class RtNetlink implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int REQUEST_BUFFER = 1024;
    static final String CAP_HINT =
            "changing links, addresses or routes needs CAP_NET_ADMIN (run as root or grant the capability)";

    private final NetlinkSocket socket;
    private final MessageWriter writer;
    private final MemorySegment rx;
    private final MessageCursor cursor = new MessageCursor();
    private final AttrCursor attrs = new AttrCursor();
    private int seq;
    private long malformed;

    private RtNetlink(NetlinkSocket socket) {
        this.socket = socket;
        Arena arena = Arena.ofAuto();
        this.writer = new MessageWriter(arena.allocate(REQUEST_BUFFER, 8));
        this.rx = arena.allocate(RECEIVE_BUFFER, 8);
        this.seq = (int) (System.nanoTime() & 0x7fff_ffff);
    }

    /** Opens a NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static RtNetlink open() throws LinuxException {
        return new RtNetlink(NetlinkSocket.open(Nl.NETLINK_ROUTE, "NETLINK_ROUTE", 0));
    }

    // ---- links

    /** The link named {@code name}, or empty if this namespace has none. */
    public synchronized Optional<Link> findLink(String name) throws IOException {
        try {
            return Optional.of(link(name));
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The link with index {@code index}, or empty if this namespace has none. */
    public synchronized Optional<Link> findLink(int index) throws IOException {
        try {
            return Optional.of(link(index));
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The link named {@code name}.
     *
     * @throws LinuxException {@code RTM_GETLINK(name "x"): ENODEV (No such device) — no link named "x" in this network namespace}
     */
    public synchronized Link link(String name) throws IOException {
        beginLink(Nl.RTM_GETLINK, Nl.NLM_F_ACK, 0);
        writer.attrString(Nl.IFLA_IFNAME, name);
        return single("RTM_GETLINK(name \"" + name + "\")",
                "no link named \"" + name + "\" in this network namespace");
    }

    /** The link with index {@code index}; throws ENODEV with a hint if there is none. */
    public synchronized Link link(int index) throws IOException {
        beginLink(Nl.RTM_GETLINK, Nl.NLM_F_ACK, index);
        return single("RTM_GETLINK(dev " + index + ")", noLink(index));
    }

    /** Every link of this namespace. */
    public synchronized List<Link> links() throws IOException {
        beginLink(Nl.RTM_GETLINK, Nl.NLM_F_DUMP, 0);
        List<Link> links = new ArrayList<>();
        exchange("RTM_GETLINK(dump)", null, true, m -> {
            if (m.type() == Nl.RTM_NEWLINK) {
                addOrCount(links, RtParser.link(m, attrs));
            }
        });
        return links;
    }

    /** Sets the link administratively up or down. */
    public synchronized void setUp(int index, boolean up) throws IOException {
        long ifi = beginLink(Nl.RTM_NEWLINK, Nl.NLM_F_ACK, index);
        writer.putInt(ifi + Nl.IFI_FLAGS, up ? Nl.IFF_UP : 0);
        writer.putInt(ifi + Nl.IFI_CHANGE, Nl.IFF_UP);
        exchange("RTM_NEWLINK(dev " + index + ", " + (up ? "up" : "down") + ")", noLink(index), false, m -> { });
    }

    public synchronized void setMtu(int index, int mtu) throws IOException {
        beginLink(Nl.RTM_NEWLINK, Nl.NLM_F_ACK, index);
        writer.attrInt(Nl.IFLA_MTU, mtu);
        exchange("RTM_NEWLINK(dev " + index + ", mtu " + mtu + ")", noLink(index), false, m -> { });
    }

    // ---- addresses

    /** Adds an address; EEXIST if the link has it already. */
    public synchronized void addAddress(LinkAddress address) throws IOException {
        address(Nl.RTM_NEWADDR, (short) (Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL), address);
    }

    /** Adds {@code cidr} ("10.0.0.1/24", "fd00::1/64") to the link with index {@code index}. */
    public void addAddress(int index, String cidr) throws IOException {
        addAddress(LinkAddress.parse(index, cidr));
    }

    /** Removes an address; EADDRNOTAVAIL if the link does not have it. */
    public synchronized void removeAddress(LinkAddress address) throws IOException {
        address(Nl.RTM_DELADDR, Nl.NLM_F_ACK, address);
    }

    public void removeAddress(int index, String cidr) throws IOException {
        removeAddress(LinkAddress.parse(index, cidr));
    }

    /** The IPv4 and IPv6 addresses of the link with index {@code index}. */
    public synchronized List<LinkAddress> addresses(int index) throws IOException {
        writer.begin(Nl.RTM_GETADDR, (short) (Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP), ++seq);
        writer.reserve(Nl.IFADDRMSG_LEN);
        List<LinkAddress> found = new ArrayList<>();
        exchange("RTM_GETADDR(dump)", null, true, m -> {
            if (m.type() == Nl.RTM_NEWADDR) {
                LinkAddress a = RtParser.address(m, attrs);
                if (a == null) {
                    malformed++;
                } else if (a.index() == index) {
                    found.add(a);
                }
            }
        });
        return found;
    }

    private void address(short type, short flags, LinkAddress a) throws IOException {
        boolean v4 = a.address() instanceof Inet4Address;
        writer.begin(type, (short) (Nl.NLM_F_REQUEST | flags), ++seq);
        long ifa = writer.reserve(Nl.IFADDRMSG_LEN);
        writer.putByte(ifa + Nl.IFA_FAMILY, v4 ? Nl.AF_INET : Nl.AF_INET6);
        writer.putByte(ifa + Nl.IFA_PREFIXLEN, a.prefixLength());
        writer.putInt(ifa + Nl.IFA_INDEX, a.index());
        writer.attr(Nl.IFA_LOCAL, a.address().getAddress());
        writer.attr(Nl.IFA_ADDRESS, a.address().getAddress());
        exchange(Nl.typeName(type) + "(" + a + ")", noLink(a.index()), false, m -> { });
    }

    // ---- routes

    /** Adds a route; EEXIST if the table has one to the same destination already. */
    public synchronized void addRoute(Route route) throws IOException {
        route(Nl.RTM_NEWROUTE, (short) (Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL), route);
    }

    /** Removes a route; ESRCH if the table has no such route. */
    public synchronized void removeRoute(Route route) throws IOException {
        route(Nl.RTM_DELROUTE, Nl.NLM_F_ACK, route);
    }

    /**
     * The route the kernel would use for a packet to {@code destination}, as
     * {@code ip route get} shows it (in the main routing decision, no source or mark given);
     * empty when there is none (ENETUNREACH, EHOSTUNREACH).
     */
    public synchronized Optional<RouteEntry> routeGet(InetAddress destination) throws IOException {
        boolean v4 = destination instanceof Inet4Address;
        writer.begin(RouteParser.RTM_GETROUTE, (short) (Nl.NLM_F_REQUEST | Nl.NLM_F_ACK), ++seq);
        long rtm = writer.reserve(Nl.RTMSG_LEN);
        writer.putByte(rtm + Nl.RTM_FAMILY, v4 ? Nl.AF_INET : Nl.AF_INET6);
        writer.putByte(rtm + Nl.RTM_DST_LEN, v4 ? 32 : 128);
        writer.attr(Nl.RTA_DST, destination.getAddress());
        List<RouteEntry> found = new ArrayList<>(1);
        try {
            exchange("RTM_GETROUTE(" + destination.getHostAddress() + ")", null, false, m -> {
                if (m.type() == Nl.RTM_NEWROUTE) {
                    addOrCount(found, RouteParser.route(m, attrs));
                }
            });
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENETUNREACH || e.errno() == Errno.EHOSTUNREACH) {
                return Optional.empty();
            }
            throw e;
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    /**
     * Every route of {@code family} in every table ({@code ip route show table all}), in the
     * kernel's order; local and broadcast routes included (see {@link RouteEntry#type()}).
     */
    public synchronized List<RouteEntry> routes(StandardProtocolFamily family) throws IOException {
        boolean v4 = switch (family) {
            case INET -> true;
            case INET6 -> false;
            default -> throw new IllegalArgumentException("routes exist for INET and INET6, not " + family);
        };
        writer.begin(RouteParser.RTM_GETROUTE, (short) (Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP), ++seq);
        long rtm = writer.reserve(Nl.RTMSG_LEN);
        writer.putByte(rtm + Nl.RTM_FAMILY, v4 ? Nl.AF_INET : Nl.AF_INET6);
        List<RouteEntry> found = new ArrayList<>();
        exchange("RTM_GETROUTE(dump " + (v4 ? "inet" : "inet6") + ")", null, true, m -> {
            if (m.type() == Nl.RTM_NEWROUTE) {
                addOrCount(found, RouteParser.route(m, attrs));
            }
        });
        return found;
    }

    private void route(short type, short flags, Route r) throws IOException {
        if (r.gateway() == null && r.linkIndex() == 0) {
            throw new IllegalArgumentException("route " + r + " needs a gateway or an interface");
        }
        boolean add = type == Nl.RTM_NEWROUTE;
        writer.begin(type, (short) (Nl.NLM_F_REQUEST | flags), ++seq);
        long rtm = writer.reserve(Nl.RTMSG_LEN);
        writer.putByte(rtm + Nl.RTM_FAMILY, r.destination() instanceof Inet4Address ? Nl.AF_INET : Nl.AF_INET6);
        writer.putByte(rtm + Nl.RTM_DST_LEN, r.prefixLength());
        writer.putByte(rtm + Nl.RTM_TABLE, r.table() < 256 ? (int) r.table() : Nl.RT_TABLE_UNSPEC);
        writer.putByte(rtm + Nl.RTM_PROTOCOL, add ? Nl.RTPROT_BOOT : 0);
        writer.putByte(rtm + Nl.RTM_SCOPE, !add ? Nl.RT_SCOPE_NOWHERE
                : r.gateway() == null ? Nl.RT_SCOPE_LINK : Nl.RT_SCOPE_UNIVERSE);
        writer.putByte(rtm + Nl.RTM_TYPE, add ? Nl.RTN_UNICAST : 0);
        writer.attrInt(Nl.RTA_TABLE, (int) r.table());
        writer.attr(Nl.RTA_DST, r.destination().getAddress());
        if (r.gateway() != null) {
            writer.attr(Nl.RTA_GATEWAY, r.gateway().getAddress());
        }
        if (r.linkIndex() > 0) {
            writer.attrInt(Nl.RTA_OIF, r.linkIndex());
        }
        exchange(Nl.typeName(type) + "(" + r + ")", noLink(r.linkIndex()), false, m -> { });
    }

    // ---- plumbing

    /** Messages in replies that could not be parsed and were skipped. */
    public synchronized long malformedMessages() {
        return malformed;
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        socket.close();
    }

    /** Starts a link request with an ifinfomsg for {@code index}; returns the ifinfomsg offset. */
    private long beginLink(short type, short flags, int index) {
        writer.begin(type, (short) (Nl.NLM_F_REQUEST | flags), ++seq);
        long ifi = writer.reserve(Nl.IFINFOMSG_LEN);
        writer.putInt(ifi + Nl.IFI_INDEX, index);
        return ifi;
    }

    private static String noLink(int index) {
        return "no link with index " + index + " in this network namespace";
    }

    private Link single(String what, String noDeviceHint) throws IOException {
        List<Link> links = new ArrayList<>(1);
        exchange(what, noDeviceHint, false, m -> {
            if (m.type() == Nl.RTM_NEWLINK) {
                addOrCount(links, RtParser.link(m, attrs));
            }
        });
        if (links.isEmpty()) {
            throw new LinuxException(what, Errno.EIO, "the kernel's answer held no readable link");
        }
        return links.getFirst();
    }

    private <T> void addOrCount(List<T> list, T item) {
        if (item == null) {
            malformed++;
        } else {
            list.add(item);
        }
    }

    /**
     * Sends the request in {@link #writer} and reads answers with its sequence number until
     * the ack (or, for a dump, NLMSG_DONE), handing every other message to {@code replies}.
     */
    private void exchange(String what, String noDeviceHint, boolean dump, Consumer<MessageCursor> replies)
            throws IOException {
        int mySeq = seq;
        socket.send(writer.buf(), writer.finish(), what);
        while (true) {
            int n = socket.receive(rx);
            cursor.reset(rx, n);
            while (cursor.next()) {
                if (cursor.seq() != mySeq) {
                    continue; // a late answer to an earlier, abandoned request
                }
                switch (cursor.type()) {
                    case Nl.NLMSG_NOOP -> { }
                    case Nl.NLMSG_ERROR -> {
                        int error = errorCode(what);
                        if (error == 0) {
                            return;
                        }
                        throw failure(what, -error, noDeviceHint);
                    }
                    case Nl.NLMSG_DONE -> {
                        if (dump) {
                            int error = cursor.payloadLength() >= 4
                                    ? rx.get(ValueLayout.JAVA_INT_UNALIGNED, cursor.payload()) : 0;
                            if (error < 0) {
                                throw failure(what, -error, noDeviceHint);
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

    private int errorCode(String what) throws LinuxException {
        if (cursor.payloadLength() < 4) {
            throw new LinuxException(what, Errno.EIO, "the kernel's error message was truncated");
        }
        return rx.get(ValueLayout.JAVA_INT_UNALIGNED, cursor.payload());
    }

    private LinuxException failure(String what, int errno, String noDeviceHint) {
        String hint = switch (errno) {
            case Errno.EPERM -> CAP_HINT;
            case Errno.ENODEV -> noDeviceHint;
            case Errno.ESRCH -> what.startsWith("RTM_DELROUTE") ? "the table has no such route" : null;
            default -> null;
        };
        return new LinuxException(what, errno, Nl.withKernelMessage(hint, Nl.extAckMessage(rx, cursor, attrs)));
    }
}
