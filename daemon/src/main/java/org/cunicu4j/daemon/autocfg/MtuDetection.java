package org.cunicu4j.daemon.autocfg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.Collection;
import java.util.Optional;
import org.cunicu4j.linux.netlink.Link;
import org.cunicu4j.linux.netlink.Route;
import org.cunicu4j.linux.netlink.RouteEntry;
import org.cunicu4j.linux.netlink.RtNetlink;

/**
 * The tunnel MTU the way {@code wg-quick} picks it: for each peer endpoint the MTU of the
 * route to it ({@code ip route get}: its {@code mtu} metric, else its device's MTU); the
 * largest of those, or when no endpoint gave one the main table's default route's (IPv4,
 * then IPv6), or 1500; minus 80 bytes of WireGuard overhead (IPv6 + UDP + WireGuard
 * header). Looked up over rtnetlink in the namespace the socket was opened in. Stateless.
 */
final class MtuDetection {
    /** wg-quick's overhead: 40 (IPv6) + 8 (UDP) + 32 (WireGuard). */
    static final int OVERHEAD = 80;
    /** wg-quick's underlying MTU when no route says. */
    static final int FALLBACK = 1500;
    /** The smallest result: IPv6 needs 1280 on the link, or the kernel drops the interface's IPv6 addresses. */
    static final int MINIMUM = 1280;

    private MtuDetection() {}

    /** The outcome: the tunnel MTU and what it came from, for the log. */
    record Detected(int mtu, String reason) {}

    static Detected detect(RtNetlink rt, Collection<InetAddress> endpoints) throws IOException {
        int best = 0;
        InetAddress from = null;
        for (InetAddress endpoint : endpoints) {
            int m = routeMtu(rt, endpoint);
            if (m > best) {
                best = m;
                from = endpoint;
            }
        }
        String reason;
        if (best > 0) {
            reason = "route to endpoint " + from.getHostAddress() + " has mtu " + best;
        } else {
            best = defaultRouteMtu(rt);
            reason = best > 0 ? "default route has mtu " + best : "no route says, assumed " + FALLBACK;
            if (best == 0) {
                best = FALLBACK;
            }
        }
        return choose(best, reason);
    }

    /** {@code underlying - 80}, at least {@link #MINIMUM}. */
    static Detected choose(int underlying, String reason) {
        int mtu = underlying - OVERHEAD;
        if (mtu < MINIMUM) {
            return new Detected(MINIMUM, reason + ", minus " + OVERHEAD + " is below " + MINIMUM + ": raised to " + MINIMUM);
        }
        return new Detected(mtu, reason + ", minus " + OVERHEAD);
    }

    /** The MTU on the way to {@code destination}: the route's metric, else its device's; 0 without a route. */
    static int routeMtu(RtNetlink rt, InetAddress destination) throws IOException {
        Optional<RouteEntry> r = rt.routeGet(destination);
        return r.isEmpty() ? 0 : mtuOf(rt, r.get());
    }

    /** The MTU of the main table's first default route, IPv4 first (as {@code ip route show default}), then IPv6; 0 if none. */
    static int defaultRouteMtu(RtNetlink rt) throws IOException {
        for (StandardProtocolFamily family : new StandardProtocolFamily[] {StandardProtocolFamily.INET,
            StandardProtocolFamily.INET6}) {
            for (RouteEntry r : rt.routes(family)) {
                if (r.isDefault() && r.isUnicast() && r.route().table() == Route.TABLE_MAIN) {
                    int m = mtuOf(rt, r);
                    if (m > 0) {
                        return m;
                    }
                }
            }
        }
        return 0;
    }

    private static int mtuOf(RtNetlink rt, RouteEntry r) throws IOException {
        if (r.mtu() > 0) {
            return r.mtu();
        }
        if (r.route().linkIndex() <= 0) {
            return 0; // unreachable, blackhole, prohibit: no device
        }
        return rt.findLink(r.route().linkIndex()).map(Link::mtu).orElse(0);
    }
}
