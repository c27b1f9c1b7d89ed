package org.cunicu4j.daemon.rtsync;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.cunicu4j.net.IpPrefix;

/** Prefix arithmetic for {@link RouteSync}. Stateless. */
final class Prefixes {
    private Prefixes() {}

    /** True if {@code outer} contains all of {@code inner} (same family, shorter or equal length, same leading bits). */
    static boolean covers(IpPrefix outer, IpPrefix inner) {
        if (isV4(outer.address()) != isV4(inner.address()) || outer.bits() > inner.bits()) {
            return false;
        }
        return Arrays.equals(outer.masked().address().getAddress(),
                new IpPrefix(inner.address(), outer.bits()).masked().address().getAddress());
    }

    /** The host prefix of {@code a} (/32 or /128). */
    static IpPrefix host(InetAddress a) {
        return new IpPrefix(a, isV4(a) ? 32 : 128);
    }

    static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
