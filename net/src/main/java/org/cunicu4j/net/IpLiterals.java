package org.cunicu4j.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The one parser of IP address literals ({@code 192.0.2.1}, {@code 2001:db8::1},
 * {@code ::ffff:192.0.2.1}) behind {@link IpPrefix#parse} and WireGuard's endpoints: never a
 * name lookup, and one set of rules. An IPv4 address (alone, or the tail of an IPv6 one) has
 * four decimal parts without leading zeros: {@code inet_aton} reads {@code 010} as octal 8,
 * Java as decimal 10, so such text is refused rather than guessed at. IPv6 zones
 * ({@code %eth0}) are refused. {@code ::ffff:a.b.c.d} stays an {@link Inet6Address}, as the
 * kernel and {@code wg} keep it. Stateless and thread-safe.
 */
public final class IpLiterals {

    private IpLiterals() {}

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static InetAddress parse(String literal) {
        if (literal.isEmpty()) {
            throw new IllegalArgumentException("the address is missing");
        }
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            throw new IllegalArgumentException("IPv6 zones ('" + literal.substring(zone) + "') are not supported");
        }
        boolean v4 = literal.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        boolean v6 = literal.indexOf(':') >= 0
                && literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + literal + "' is not an IPv4 or IPv6 address (host names are not resolved "
                    + "here: resolve them first, as the wg tool does)");
        }
        String dotted = v4 ? literal : literal.indexOf('.') >= 0 ? literal.substring(literal.lastIndexOf(':') + 1) : null;
        if (dotted != null) {
            String[] parts = dotted.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("'" + literal + "' is not an IP address: its IPv4 part needs four parts");
            }
            for (String part : parts) {
                if (part.length() > 1 && part.charAt(0) == '0') {
                    throw new IllegalArgumentException("'" + literal + "' has a part with a leading zero ('" + part
                            + "'), which is ambiguous (octal to inet_aton, decimal to Java)");
                }
            }
        }
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(literal); // never a name lookup
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + literal + "' is not a valid IP address");
        }
        if (v6 && a instanceof Inet4Address) {
            // ::ffff:a.b.c.d, which InetAddress turns into IPv4
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(a.getAddress(), 0, b, 12, 4);
            try {
                return Inet6Address.getByAddress(null, b, -1);
            } catch (UnknownHostException e) {
                throw new AssertionError("16 bytes always form an IPv6 address", e);
            }
        }
        return a;
    }
}
