package org.cunicu4j.linux.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address with its prefix length, on the interface with index {@code index}.
 *
 * @param index        interface index
 * @param address      the local address
 * @param prefixLength 0-32 for IPv4, 0-128 for IPv6
 */
public record LinkAddress(int index, InetAddress address, int prefixLength) {
    public LinkAddress {
        Objects.requireNonNull(address, "address");
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length of " + address.getHostAddress()
                    + " must be 0-" + max + ", got " + prefixLength);
        }
    }

    /** Parses CIDR notation ("10.0.0.1/24", "fd00::1/64") for interface {@code index}; no DNS. */
    public static LinkAddress parse(int index, String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not CIDR notation (address/prefix): " + cidr);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + cidr, e);
        }
        return new LinkAddress(index, InetAddress.ofLiteral(cidr.substring(0, slash)), prefix);
    }

    /** "10.0.0.1/24". */
    public String cidr() {
        return address.getHostAddress() + "/" + prefixLength;
    }

    @Override
    public String toString() {
        return "dev " + index + ", " + cidr();
    }
}
