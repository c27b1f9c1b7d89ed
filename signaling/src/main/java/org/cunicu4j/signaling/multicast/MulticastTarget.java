package org.cunicu4j.signaling.multicast;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

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
        String lower = url.toLowerCase(Locale.ROOT);
        for (String bare : new String[] {SCHEME + "://", SCHEME + ":"}) {
            // "multicast:", "multicast://" and "multicast://?interface=x": defaults (java.net.URI rejects them)
            if (lower.startsWith(bare) && (url.length() == bare.length() || url.charAt(bare.length()) == '?')) {
                url = SCHEME + ":?" + url.substring(Math.min(url.length(), bare.length() + 1));
                break;
            }
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid multicast URL '" + url + "': " + e.getMessage(), e);
        }
        return parse(uri);
    }

    /** Parses a {@code multicast:} URI; throws {@link IllegalArgumentException} naming what is wrong. */
    public static MulticastTarget parse(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("not a multicast URL: '" + uri + "'");
        }
        String authority = uri.getRawAuthority();
        String host = uri.getHost();
        int port = uri.getPort();
        if (authority != null && !authority.isEmpty() && host == null) {
            throw new IllegalArgumentException("invalid multicast URL '" + uri
                    + "': expected multicast://GROUP:PORT (IPv6 groups in brackets)");
        }
        if (uri.getPath() != null && !uri.getPath().isEmpty()) {
            throw new IllegalArgumentException("invalid multicast URL '" + uri + "': unexpected path '"
                    + uri.getPath() + "'");
        }
        InetAddress group = host == null || host.isEmpty() ? literal(DEFAULT_GROUP) : literal(host);
        Optional<String> ifname = Optional.empty();
        boolean loopback = true;
        String query = uri.isOpaque() ? opaqueQuery(uri) : uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
                        java.nio.charset.StandardCharsets.UTF_8);
                switch (key) {
                    case "interface" -> ifname = Optional.of(value);
                    case "loopback" -> loopback = parseBoolean(uri, value);
                    default -> throw new IllegalArgumentException("multicast URL '" + uri
                            + "': unknown option '" + key + "' (known: interface, loopback)");
                }
            }
        }
        return new MulticastTarget(group, port < 0 ? DEFAULT_PORT : port, ifname, loopback);
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

    private static String opaqueQuery(URI uri) {
        // "multicast:?interface=lo": an opaque URI keeps the query inside the scheme-specific part.
        String ssp = uri.getRawSchemeSpecificPart();
        if (ssp.isEmpty()) {
            return null;
        }
        if (ssp.charAt(0) != '?') {
            throw new IllegalArgumentException("invalid multicast URL '" + uri
                    + "': expected multicast://GROUP:PORT");
        }
        return ssp.substring(1);
    }

    private static boolean parseBoolean(URI uri, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("multicast URL '" + uri
                    + "': loopback must be true or false, got '" + value + "'");
        };
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
