package org.cunicu4j.daemon.autocfg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.Collection;
import java.util.Optional;
import org.cunicu4j.linux.LinuxException;
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
 *
 * <p>Like wg-quick, an endpoint whose lookup fails (a blackhole route answers EINVAL, a
 * prohibit route EACCES) gives no MTU instead of failing the setup. Unlike it, routes that
 * are not unicast (local, or an unreachable/blackhole/prohibit route that an older kernel
 * returns on {@code lo}, MTU 65536) and routes through our own interface (an {@code rtsync}
 * route or a {@code 0.0.0.0/0} exit peer: the tunnel MTU minus 80 would shrink the MTU at
 * every detection) are ignored; the lookup carries the device's {@code fwmark}, so policy
 * rules keyed on it route the way WireGuard's own packets go.
 */
final class MtuDetection {
    private static final System.Logger LOG = System.getLogger(MtuDetection.class.getName());

    /** wg-quick's overhead: 40 (IPv6) + 8 (UDP) + 32 (WireGuard). */
    static final int OVERHEAD = 80;
    /** wg-quick's underlying MTU when no route says. */
    static final int FALLBACK = 1500;
    /**
     * The smallest result, a deliberate deviation from wg-quick (which would set e.g. 1220
     * under a 1300 route): IPv6 needs 1280 on the link, or the kernel drops the interface's
     * IPv6 addresses, and cunīcu's derived addresses include an IPv6 one by default.
     */
    static final int MINIMUM = 1280;

    private MtuDetection() {}

    /** The outcome: the tunnel MTU and what it came from, for the log. */
    record Detected(int mtu, String reason) {}

    /**
     * @param ownLink the index of our WireGuard interface, whose routes are ignored; 0 when it does not exist yet
     * @param fwmark  the device's firewall mark, sent with each lookup; 0 for none
     */
    static Detected detect(RtNetlink rt, Collection<InetAddress> endpoints, int ownLink, int fwmark) throws IOException {
        int best = 0;
        InetAddress from = null;
        for (InetAddress endpoint : endpoints) {
            int m = routeMtu(rt, endpoint, ownLink, fwmark);
            if (m > best) {
                best = m;
                from = endpoint;
            }
        }
        String reason;
        if (best > 0) {
            reason = "route to endpoint " + from.getHostAddress() + " has mtu " + best;
        } else {
            best = defaultRouteMtu(rt, ownLink);
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

    /**
     * The MTU on the way to {@code destination}: the route's metric, else its device's; 0
     * without a usable route (none, refused, not unicast, or through {@code ownLink}).
     */
    static int routeMtu(RtNetlink rt, InetAddress destination, int ownLink, int fwmark) throws IOException {
        Optional<RouteEntry> r;
        try {
            r = rt.routeGet(destination, fwmark);
        } catch (LinuxException e) {
            LOG.log(System.Logger.Level.DEBUG, "mtu: no route to endpoint {0}: {1}", destination.getHostAddress(),
                    e.getMessage());
            return 0;
        }
        if (r.isEmpty() || !usable(r.get(), ownLink)) {
            LOG.log(System.Logger.Level.DEBUG, "mtu: route to endpoint {0} ignored: {1}", destination.getHostAddress(),
                    r.map(RouteEntry::toString).orElse("none"));
            return 0;
        }
        return mtuOf(rt, r.get());
    }

    /** The MTU of the main table's first usable default route, IPv4 first (as {@code ip route show default}), then IPv6; 0 if none. */
    static int defaultRouteMtu(RtNetlink rt, int ownLink) throws IOException {
        for (StandardProtocolFamily family : new StandardProtocolFamily[] {StandardProtocolFamily.INET,
            StandardProtocolFamily.INET6}) {
            for (RouteEntry r : rt.routes(family, Route.TABLE_MAIN)) {
                if (r.isDefault() && usable(r, ownLink)) {
                    int m = mtuOf(rt, r);
                    if (m > 0) {
                        return m;
                    }
                }
            }
        }
        return 0;
    }

    private static boolean usable(RouteEntry r, int ownLink) {
        return r.isUnicast() && (ownLink <= 0 || r.route().linkIndex() != ownLink);
    }

    private static int mtuOf(RtNetlink rt, RouteEntry r) throws IOException {
        if (r.mtu() > 0) {
            return r.mtu();
        }
        if (r.route().linkIndex() <= 0) {
            return 0; // a unicast route always has a device; be safe
        }
        return rt.findLink(r.route().linkIndex()).map(Link::mtu).orElse(0);
    }
}
