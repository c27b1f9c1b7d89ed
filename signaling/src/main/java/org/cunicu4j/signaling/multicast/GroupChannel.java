package org.cunicu4j.signaling.multicast;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;

/**
 * One UDP socket joined to a {@link MulticastTarget}'s group: bound to the group address and
 * port (so only datagrams to that group arrive, whatever else the host has joined), with
 * {@code SO_REUSEADDR} (so several backends on one host share the port), {@code IP_MULTICAST_IF}
 * and the membership on one interface, and {@code IP_MULTICAST_LOOP} as the target says.
 *
 * <p>The socket lives in the network namespace of the thread that {@link #open opens} it. Without
 * a named interface, the interface is the one the kernel routes the group through (found by
 * connecting a throwaway socket to the group): a namespace without such a route fails here with a
 * hint. {@link #send} may be called from any thread; {@link #receive} from one reader thread;
 * {@link #close} leaves the group and wakes a blocked {@link #receive}.
 */
final class GroupChannel implements AutoCloseable {
    /** The largest UDP payload over IPv4 (65535 - 20 - 8), and so the largest envelope sent. */
    static final int MAX_DATAGRAM = 65_507;

    private final MulticastTarget target;
    private final DatagramChannel channel;
    private final MembershipKey membership;
    private final NetworkInterface networkInterface;
    private final InetSocketAddress destination;

    private GroupChannel(MulticastTarget target, DatagramChannel channel, MembershipKey membership,
            NetworkInterface networkInterface, InetSocketAddress destination) {
        this.target = target;
        this.channel = channel;
        this.membership = membership;
        this.networkInterface = networkInterface;
        this.destination = destination;
    }

    /** Opens the socket in the calling thread's network namespace and joins the group. */
    static GroupChannel open(MulticastTarget target) throws IOException {
        NetworkInterface ni = resolveInterface(target);
        InetAddress group = scoped(target.group(), ni);
        DatagramChannel ch = DatagramChannel.open(target.isIpv6() ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(group, target.port()));
            ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, ni);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, target.loopback());
            MembershipKey key = ch.join(target.group(), ni);
            return new GroupChannel(target, ch, key, ni, new InetSocketAddress(group, target.port()));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot join " + target + " on " + ni.getName() + ": " + e.getMessage(), e);
        }
    }

    /** The interface the group was joined on. */
    NetworkInterface networkInterface() {
        return networkInterface;
    }

    /** The local address and port the socket is bound to. */
    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Sends {@code datagram} (position to limit) to the group as one datagram. */
    void send(ByteBuffer datagram) throws IOException {
        channel.send(datagram, destination);
    }

    /**
     * Blocks for the next datagram and copies it into {@code into} (cleared first; a datagram
     * larger than its capacity is truncated, as UDP does). Returns the sender, or null once closed.
     */
    SocketAddress receive(ByteBuffer into) throws IOException {
        into.clear();
        try {
            return channel.receive(into);
        } catch (ClosedChannelException e) { // also AsynchronousCloseException: close() woke us
            return null;
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** Leaves the group and closes the socket, waking a blocked {@link #receive}. Idempotent. */
    @Override
    public void close() throws IOException {
        try {
            membership.drop();
        } finally {
            channel.close();
        }
    }

    private static NetworkInterface resolveInterface(MulticastTarget target) throws IOException {
        if (target.networkInterface().isPresent()) {
            String name = target.networkInterface().get();
            NetworkInterface ni = NetworkInterface.getByName(name);
            if (ni == null) {
                throw new IOException("multicast " + target + ": no interface named " + name
                        + " in this network namespace");
            }
            return ni;
        }
        InetAddress group = target.group();
        if (group instanceof Inet6Address && (group.isMCLinkLocal() || group.isMCNodeLocal())) {
            throw new IOException("multicast " + target + ": a link-local IPv6 group needs an interface: "
                    + "add ?interface=NAME");
        }
        try (DatagramChannel probe = DatagramChannel.open(target.isIpv6() ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET)) {
            probe.connect(new InetSocketAddress(group, target.port()));
            InetAddress source = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
            NetworkInterface ni = NetworkInterface.getByInetAddress(source);
            if (ni == null) {
                throw new IOException("multicast " + target + ": no interface has the source address "
                        + source.getHostAddress() + " the kernel chose; name one with ?interface=NAME");
            }
            return ni;
        } catch (SocketException e) {
            String route = target.isIpv6() ? "ff00::/8" : "224.0.0.0/4";
            throw new IOException("multicast " + target + ": no route to the group (" + e.getMessage()
                    + ") — add one, e.g. `ip route add " + route + " dev eth0`, or name the interface with "
                    + "?interface=NAME", e);
        }
    }

    private static InetAddress scoped(InetAddress group, NetworkInterface ni) throws IOException {
        if (group instanceof Inet6Address) {
            // link-local (ff02::) groups are meaningless without the interface as scope
            return Inet6Address.getByAddress(null, group.getAddress(), ni.getIndex());
        }
        return group;
    }

    @Override
    public String toString() {
        return "GroupChannel[" + target + " on " + networkInterface.getName() + "]";
    }
}
