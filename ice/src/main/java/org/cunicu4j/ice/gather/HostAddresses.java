package org.cunicu4j.ice.gather;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.cunicu4j.linux.netlink.Link;
import org.cunicu4j.linux.netlink.LinkAddress;
import org.cunicu4j.linux.netlink.RtNetlink;

/** Lists the local addresses (rtnetlink) and selects those host candidates are made for. Stateless. */
final class HostAddresses {
    private static final int IFF_LOOPBACK = 0x8;

    private HostAddresses() {}

    /** Every address of every interface in the calling thread's network namespace. */
    static List<LocalAddress> list() throws IOException {
        List<LocalAddress> all = new ArrayList<>();
        try (RtNetlink nl = RtNetlink.open()) {
            for (Link link : nl.links()) {
                for (LinkAddress a : nl.addresses(link.index())) {
                    all.add(new LocalAddress(link.name(), link.index(), link.up(),
                            (link.flags() & IFF_LOOPBACK) != 0, a.address()));
                }
            }
        }
        return all;
    }

    /**
     * The usable ones, IPv6 first, then by interface index, then by address: interfaces up
     * and accepted by {@code filter}; no link-local, multicast or wildcard addresses; no
     * loopback unless {@code loopback}; only the families asked for.
     */
    static List<LocalAddress> select(List<LocalAddress> all, InterfaceFilter filter, boolean loopback,
            boolean ipv4, boolean ipv6) {
        return all.stream()
                .filter(LocalAddress::up)
                .filter(a -> filter.accepts(a.ifname()))
                .filter(a -> loopback || !(a.loopback() || a.address().isLoopbackAddress()))
                .filter(a -> !a.address().isLinkLocalAddress() && !a.address().isMulticastAddress()
                        && !a.address().isAnyLocalAddress())
                .filter(a -> a.address() instanceof Inet4Address ? ipv4 : ipv6)
                .sorted(Comparator.comparingInt((LocalAddress a) -> a.address() instanceof Inet6Address ? 0 : 1)
                        .thenComparingInt(LocalAddress::ifindex)
                        .thenComparing((x, y) -> Arrays.compareUnsigned(raw(x.address()), raw(y.address()))))
                .toList();
    }

    private static byte[] raw(InetAddress a) {
        return a.getAddress();
    }
}
