package org.cunicu4j.signaling.multicast;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;
import org.cunicu4j.signaling.backend.BackendUrl;

/**
 * Where a {@link MulticastBackend} sends and listens: a multicast group, a UDP port, the
 * interface to join on and whether this host's own datagrams loop back to it.
 *
 * <p>URL form, as cunīcu's {@code multicast} backend reads it:
 * {@code multicast://GROUP:PORT[?interface=NAME][&loopback=true|false]}. IPv6 groups go in
 * brackets ({@code multicast://[ff02::4242]:9999?interface=eth0}). Defaults: group
 * {@value #DEFAULT_GROUP} and port {@value #DEFAULT_PORT} (the address cunīcu's own tests use),
 * so {@code multicast:} or {@code multicast://} alone means {@code multicast://239.0.0.1:9999};
 * no interface (the one the kernel routes the group through); loopback on (so processes on
 * one host hear each other; cunīcu's default is off, pass {@code loopback=true} there too).
 * Immutable.
 *
 * @param group a multicast address (IPv4 224.0.0.0/4 or IPv6 ff00::/8)
 * @param port the UDP port, 1..65535
 * @param networkInterface the interface name to join on, or empty to follow the routing table
 * @param loopback whether this host's own datagrams to the group are delivered to it too
 */
public record MulticastTarget(InetAddress group, int port, Optional<String> networkInterface, boolean loopback) {
    /** The URL scheme. */
    public static final String SCHEME = "multicast";

    /** The group used when a URL names none. */
    public static final String DEFAULT_GROUP = "239.0.0.1";

    /** The port used when a URL names none. */
    public static final int DEFAULT_PORT = 9999;

    /** URL parameter: the interface to join on. */
    public static final String PARAM_INTERFACE = "interface";

    /** URL parameter: whether our own datagrams loop back to this host (default true). */
    public static final String PARAM_LOOPBACK = "loopback";

    public MulticastTarget {
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not a multicast address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 1..65535");
        }
        networkInterface.ifPresent(name -> {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("interface name is empty");
            }
        });
    }

    /** The default target: {@value #DEFAULT_GROUP}:{@value #DEFAULT_PORT}, any interface, loopback on. */
    public static MulticastTarget defaults() {
        return new MulticastTarget(literal(DEFAULT_GROUP), DEFAULT_PORT, Optional.empty(), true);
    }

    /** Parses a {@code multicast:} URL; throws {@link IllegalArgumentException} naming what is wrong. */
    public static MulticastTarget parse(String url) {
        String t = url.strip();
        String bare = SCHEME + "://";
        if (t.regionMatches(true, 0, bare, 0, bare.length())
                && (t.length() == bare.length() || t.charAt(bare.length()) == '?')) {
            t = SCHEME + ":" + t.substring(bare.length()); // "multicast://[?...]": the defaults, as "multicast:[?...]"
        }
        return from(BackendUrl.parse(t));
    }

    /** Reads a parsed {@code multicast:} URL; throws {@link IllegalArgumentException} naming what is wrong. */
    public static MulticastTarget from(BackendUrl url) {
        if (!SCHEME.equals(url.scheme())) {
            throw url.error("not a multicast URL");
        }
        if (!url.opaque().isEmpty()) {
            throw url.error("expected " + SCHEME + "://GROUP:PORT");
        }
        if (!url.path().isEmpty()) {
            throw url.error("unexpected path '" + url.path() + "' (expected " + SCHEME + "://GROUP:PORT)");
        }
        url.requireOnlyParams(Set.of(PARAM_INTERFACE, PARAM_LOOPBACK));
        InetAddress group;
        try {
            group = literal(url.host().filter(h -> !h.isEmpty()).orElse(DEFAULT_GROUP));
        } catch (IllegalArgumentException e) {
            throw url.error(e.getMessage());
        }
        int port = url.port() < 0 ? DEFAULT_PORT : url.requirePort();
        Optional<String> ifname = url.param(PARAM_INTERFACE);
        boolean loopback = url.flag(PARAM_LOOPBACK, true);
        try {
            return new MulticastTarget(group, port, ifname, loopback);
        } catch (IllegalArgumentException e) {
            throw url.error(e.getMessage());
        }
    }

    /** True for an IPv6 group. */
    public boolean isIpv6() {
        return group instanceof Inet6Address;
    }

    /** This target as a URL that {@link #parse(String)} reads back to an equal target. */
    public String toUrl() {
        String host = isIpv6() ? "[" + group.getHostAddress() + "]" : group.getHostAddress();
        StringBuilder url = new StringBuilder(SCHEME).append("://").append(host).append(':').append(port);
        char sep = '?';
        if (networkInterface.isPresent()) {
            url.append(sep).append("interface=").append(networkInterface.get());
            sep = '&';
        }
        if (!loopback) {
            url.append(sep).append("loopback=false");
        }
        return url.toString();
    }

    @Override
    public String toString() {
        return toUrl();
    }

    private static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!h.contains(":") && !h.matches("[0-9.]+")) {
            throw new IllegalArgumentException("multicast group must be an IP address literal, got '" + host + "'");
        }
        try {
            InetAddress a = InetAddress.getByName(h); // a literal: no name lookup
            if (!(a instanceof Inet4Address) && !(a instanceof Inet6Address)) {
                throw new IllegalArgumentException("not an IP address: '" + host + "'");
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("invalid multicast group '" + host + "'", e);
        }
    }
}
