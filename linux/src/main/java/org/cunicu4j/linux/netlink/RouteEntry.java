package org.cunicu4j.linux.netlink;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A route as the kernel reports it, from {@link RtNetlink#routeGet} ({@code ip route get})
 * or {@link RtNetlink#routes} ({@code ip route show table all}). Immutable.
 *
 * @param route           destination, prefix length, gateway (or null), outgoing interface
 *                        (0 when it has none, e.g. an unreachable route) and table
 * @param type            {@code rtm_type}: {@link #UNICAST}, {@link #LOCAL}, ...
 * @param mtu             the route's {@code mtu} metric, 0 when it has none (then the
 *                        outgoing interface's MTU applies)
 * @param preferredSource the source address the kernel would pick ({@code src}), or null
 */
public record RouteEntry(Route route, int type, int mtu, InetAddress preferredSource) {
    /** {@code RTN_UNICAST}: a gateway or directly connected route. */
    public static final int UNICAST = 1;
    /** {@code RTN_LOCAL}: a local address of this host. */
    public static final int LOCAL = 2;

    public RouteEntry {
        Objects.requireNonNull(route, "route");
        if (mtu < 0) {
            throw new IllegalArgumentException("mtu must be >= 0, got " + mtu);
        }
    }

    /** True for a unicast route (not local, broadcast, unreachable, ...). */
    public boolean isUnicast() {
        return type == UNICAST;
    }

    /** True for a default route (prefix length 0). */
    public boolean isDefault() {
        return route.prefixLength() == 0;
    }

    /** "10.0.0.0/8 via 10.1.0.1 dev 3 table 254 type 1 mtu 1400". */
    @Override
    public String toString() {
        return route + " type " + type + (mtu > 0 ? " mtu " + mtu : "")
                + (preferredSource == null ? "" : " src " + preferredSource.getHostAddress());
    }
}
