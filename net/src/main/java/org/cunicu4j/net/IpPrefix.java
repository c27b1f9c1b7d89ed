package org.cunicu4j.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP prefix such as {@code 10.0.0.0/24} or {@code fd00::/64}: an address and a prefix
 * length. The address is kept as given (host bits are not cleared; {@link #masked()}
 * clears them), so that {@code 10.0.0.1/24} round-trips like the {@code wg} tool prints it.
 * Immutable.
 */
public record IpPrefix(InetAddress address, int bits) {

    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("prefix length " + bits + " is out of range 0.." + max + " for " + address.getHostAddress());
        }
    }

    /**
     * Parses {@code addr/bits} or a bare address (a host prefix: /32 or /128). Only
     * literal addresses are accepted, never host names, by the rules of {@link IpLiterals}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong
     */
    public static IpPrefix parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        InetAddress address = parseLiteral(addr, text);
        int max = address instanceof Inet4Address ? 32 : 128;
        int bits = max;
        if (slash >= 0) {
            String b = s.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "' is not an IP prefix: the length after '/' must be a number 0.." + max);
            }
            bits = Integer.parseInt(b);
            if (bits > max) {
                throw new IllegalArgumentException("'" + text + "' is not an IP prefix: length " + bits + " exceeds " + max);
            }
        }
        return new IpPrefix(address, bits);
    }

    private static InetAddress parseLiteral(String addr, String text) {
        try {
            return IpLiterals.parse(addr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP prefix: " + e.getMessage(), e);
        }
    }

    /** The same prefix with its host bits cleared. */
    public IpPrefix masked() {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return new IpPrefix(isIpv4() ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1), bits);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** True for an IPv4 prefix. */
    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** {@code addr/bits}, the form {@code wg} and {@code ip} print. */
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + bits;
    }
}
