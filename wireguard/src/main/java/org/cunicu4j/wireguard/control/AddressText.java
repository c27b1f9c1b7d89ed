package org.cunicu4j.wireguard.control;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.cunicu4j.net.IpPrefix;

/**
 * Addresses in the text forms WireGuard uses: IPv6 compressed as {@code inet_ntop} prints
 * it (RFC 5952: the longest run of two or more zero groups becomes {@code ::}, lower case),
 * endpoints as {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}, and the parsing of
 * those endpoint forms (literals only, never a name lookup). An IPv4-mapped IPv6 address
 * ({@code ::ffff:192.0.2.1}) stays IPv6, as it is on the wire. Stateless and thread-safe.
 */
public final class AddressText {
    private AddressText() {}

    /** {@code 10.0.0.1}, {@code fd00::1}, {@code fe80::1%eth0}. */
    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder(40);
        boolean mapped = bestStart == 0 && (bestLen == 6 || (bestLen == 5 && groups[5] == 0xffff));
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            if (mapped && i == 6) {
                sb.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.')
                        .append(b[14] & 0xff).append('.').append(b[15] & 0xff);
                break;
            }
            sb.append(Integer.toHexString(groups[i]));
            if (i < 7) {
                sb.append(':');
            }
        }
        if (address instanceof Inet6Address v6) {
            if (v6.getScopedInterface() != null) {
                sb.append('%').append(v6.getScopedInterface().getName());
            } else if (v6.getScopeId() != 0) {
                sb.append('%').append(v6.getScopeId());
            }
        }
        return sb.toString();
    }

    /** {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}. */
    public static String format(InetSocketAddress endpoint) {
        InetAddress a = endpoint.getAddress();
        if (a == null) {
            throw new IllegalArgumentException("endpoint " + endpoint + " is unresolved");
        }
        String host = format(a);
        return (a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + endpoint.getPort();
    }

    /** {@code 10.0.0.0/24}, {@code fd00::/64}. */
    public static String format(IpPrefix prefix) {
        return format(prefix.address()) + "/" + prefix.bits();
    }

    /**
     * Parses {@code a.b.c.d:port} or {@code [v6]:port} ({@code [fe80::1%eth0]:port} too).
     *
     * @throws IllegalArgumentException naming the text and what is wrong
     */
    public static InetSocketAddress parseEndpoint(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw badEndpoint(text, "an IPv6 endpoint is [address]:port");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (host.indexOf(':') < 0) {
                throw badEndpoint(text, "'" + host + "' in brackets is not an IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw badEndpoint(text, "no ':port'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw badEndpoint(text, "an IPv6 address must be in brackets");
            }
        }
        InetAddress address = parseAddress(host, text);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw badEndpoint(text, "the port must be a number 0..65535");
        }
        int p = Integer.parseInt(port);
        if (p > 65535) {
            throw badEndpoint(text, "port " + p + " exceeds 65535");
        }
        return new InetSocketAddress(address, p);
    }

    private static InetAddress parseAddress(String host, String text) {
        int percent = host.indexOf('%');
        String bare = percent < 0 ? host : host.substring(0, percent);
        boolean v4 = !bare.isEmpty() && bare.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                && bare.split("\\.", -1).length == 4 && percent < 0;
        boolean v6 = bare.indexOf(':') >= 0
                && bare.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!v4 && !v6) {
            throw badEndpoint(text, "'" + host + "' is not an IPv4 or IPv6 address");
        }
        if (v4) {
            for (String part : bare.split("\\.")) {
                if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                    throw badEndpoint(text, "'" + host + "' is not an IPv4 address");
                }
            }
        }
        if (percent >= 0 && (percent == host.length() - 1
                || !host.substring(percent + 1).chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw badEndpoint(text, "bad scope after '%'");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(host); // a literal: no lookup
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw badEndpoint(text, e.getMessage());
        }
        if (v6 && a instanceof Inet4Address) {
            // ::ffff:a.b.c.d, which the JDK turns into an IPv4 address: keep the IPv6 address written
            if (percent >= 0) {
                throw badEndpoint(text, "an IPv4-mapped address has no scope");
            }
            return ipv6(a.getAddress());
        }
        return a;
    }

    /**
     * The IPv6 address of 16 bytes, or of 4 bytes as {@code ::ffff:a.b.c.d}, kept IPv6 even
     * when IPv4-mapped ({@code InetAddress.getByAddress} would make an IPv4 address of it).
     */
    public static Inet6Address ipv6(byte[] bytes) {
        byte[] b = bytes;
        if (b.length == 4) {
            b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, b, 12, 4);
        }
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + bytes.length, e);
        }
    }

    /**
     * Parses {@code addr/bits} or a bare address (a host prefix), literals only.
     *
     * @throws IllegalArgumentException naming the text and what is wrong
     */
    public static IpPrefix parsePrefix(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress address;
        try {
            address = parseAddress(addr, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP prefix: '" + addr + "' is not an IPv4 or IPv6 address");
        }
        if (address instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null)) {
            throw new IllegalArgumentException("'" + text + "' is not an IP prefix: it has a scope");
        }
        int max = address instanceof Inet4Address ? 32 : 128;
        int bits = max;
        if (slash >= 0) {
            String b = text.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(b) > max) {
                throw new IllegalArgumentException("'" + text + "' is not an IP prefix: the length after '/' must be a number 0.." + max);
            }
            bits = Integer.parseInt(b);
        }
        return new IpPrefix(address, bits);
    }

    private static IllegalArgumentException badEndpoint(String text, String why) {
        return new IllegalArgumentException("'" + text + "' is not an endpoint: " + why);
    }
}
