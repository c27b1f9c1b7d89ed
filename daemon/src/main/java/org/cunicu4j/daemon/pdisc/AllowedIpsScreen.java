package org.cunicu4j.daemon.pdisc;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.cunicu4j.net.IpPrefix;

/**
 * Which advertised allowed IPs a member may have: none that covers one of our own addresses
 * (static or derived), none that covers another member's derived address (WireGuard would
 * move that address's traffic to the advertiser), and no default route ({@code 0.0.0.0/0},
 * {@code ::/0}) unless allowed (an allowed one is exempt from the other checks: it covers
 * everything, and WireGuard's longest-prefix match keeps more specific peers' traffic). Refused prefixes are left out of the member's peer; the rest
 * stay. Stateless and thread-safe.
 */
final class AllowedIpsScreen {

    private AllowedIpsScreen() {
    }

    /** Why a prefix was refused, or null when it may stay. */
    static String refusal(IpPrefix p, boolean allowDefaultRoutes, Collection<InetAddress> ours,
            Collection<InetAddress> othersDerived) {
        if (p.bits() == 0) {
            // covers everything by definition; WireGuard's longest-prefix match keeps the rest
            return allowDefaultRoutes ? null : "a default route";
        }
        for (InetAddress a : ours) {
            if (contains(p, a)) {
                return "it covers our address " + a.getHostAddress();
            }
        }
        for (InetAddress a : othersDerived) {
            if (contains(p, a)) {
                return "it covers another member's address " + a.getHostAddress();
            }
        }
        return null;
    }

    /** The prefixes of {@code allowed} that may stay, in order. */
    static List<IpPrefix> keep(List<IpPrefix> allowed, boolean allowDefaultRoutes, Collection<InetAddress> ours,
            Collection<InetAddress> othersDerived, List<String> refusals) {
        List<IpPrefix> kept = new ArrayList<>(allowed.size());
        for (IpPrefix p : allowed) {
            String why = refusal(p, allowDefaultRoutes, ours, othersDerived);
            if (why == null) {
                kept.add(p);
            } else {
                refusals.add(p + ": " + why);
            }
        }
        return kept;
    }

    /** Whether {@code a} lies in {@code p} (false across address families). */
    static boolean contains(IpPrefix p, InetAddress a) {
        byte[] net = p.address().getAddress();
        byte[] addr = a.getAddress();
        if (net.length != addr.length) {
            return false;
        }
        int bits = p.bits();
        for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if (((net[i] ^ addr[i]) & mask) != 0) {
                return false;
            }
        }
        return true;
    }
}
