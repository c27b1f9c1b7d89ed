package org.cunicu4j.linux.netlink;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A unicast route: {@code destination/prefixLength [via gateway] [dev linkIndex] table table}.
 * Build one with {@link #to(String)} and the {@code via}/{@code dev}/{@code table} withers.
 *
 * @param destination  network address (host bits zero, as the kernel demands for IPv4)
 * @param prefixLength 0-32 or 0-128
 * @param gateway      next hop, or null for a directly connected route
 * @param linkIndex    outgoing interface index, 0 for "any"
 * @param table        routing table number: {@link #TABLE_MAIN}, or any 1..2^32-1 (values above 255 too)
 */
public record Route(InetAddress destination, int prefixLength, InetAddress gateway, int linkIndex, long table) {
    public static final long TABLE_MAIN = 254;

    public Route {
        Objects.requireNonNull(destination, "destination");
        new LinkAddress(0, destination, prefixLength); // validates the prefix length for the family
        if (gateway != null && gateway.getClass() != destination.getClass()) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress()
                    + " is not of the family of " + destination.getHostAddress());
        }
        if (linkIndex < 0) {
            throw new IllegalArgumentException("interface index must be >= 0, got " + linkIndex);
        }
        if (table < 1 || table > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("routing table must be 1..4294967295, got " + table);
        }
    }

    /**
     * A route to {@code cidr} ("10.1.0.0/16") in the main table; give it an interface with
     * {@link #dev} or a gateway with {@link #via} (or both) before adding it.
     */
    public static Route to(String cidr) {
        LinkAddress parsed = LinkAddress.parse(0, cidr);
        return new Route(parsed.address(), parsed.prefixLength(), null, 0, TABLE_MAIN);
    }

    public Route via(InetAddress gateway) {
        return new Route(destination, prefixLength, gateway, linkIndex, table);
    }

    public Route via(String gateway) {
        return via(InetAddress.ofLiteral(gateway));
    }

    public Route dev(int index) {
        return new Route(destination, prefixLength, gateway, index, table);
    }

    public Route table(long table) {
        return new Route(destination, prefixLength, gateway, linkIndex, table);
    }

    /** "10.1.0.0/16 via 10.0.0.2 dev 7 table 1234", as in the error messages. */
    @Override
    public String toString() {
        return destination.getHostAddress() + "/" + prefixLength
                + (gateway == null ? "" : " via " + gateway.getHostAddress())
                + (linkIndex > 0 ? " dev " + linkIndex : "")
                + " table " + table;
    }
}
