package org.cunicu4j.daemon;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cunicu4j.linux.netlink.Link;
import org.cunicu4j.linux.netlink.LinkAddress;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.net.IpPrefix;

/**
 * The network-interface side of an interface's configuration: addresses, MTU, link up, over
 * rtnetlink in the namespace the {@link RtNetlink} socket was opened in. Addresses already
 * present are kept (applying twice is harmless). Stateless.
 */
final class LinkSetup {
    private LinkSetup() {}

    /**
     * Adds {@code addresses} (interface address with prefix length, e.g. {@code 10.237.0.1/16}),
     * sets {@code mtu} when not null and brings the link up.
     *
     * @throws IOException naming the interface and the address or setting that failed
     */
    static Link apply(RtNetlink rt, String ifname, List<IpPrefix> addresses, Integer mtu) throws IOException {
        Link link = rt.findLink(ifname).orElseThrow(() -> new IOException(
                "interface " + ifname + " does not exist in this network namespace"));
        if (mtu != null && mtu > 0 && mtu != link.mtu()) {
            try {
                rt.setMtu(link.index(), mtu);
            } catch (IOException e) {
                throw new IOException("setting mtu " + mtu + " on " + ifname + ": " + e.getMessage(), e);
            }
        }
        Set<String> have = new HashSet<>();
        for (LinkAddress a : rt.addresses(link.index())) {
            have.add(a.address().getHostAddress() + "/" + a.prefixLength());
        }
        for (IpPrefix p : addresses) {
            LinkAddress a = new LinkAddress(link.index(), p.address(), p.bits());
            if (have.contains(p.address().getHostAddress() + "/" + p.bits())) {
                continue;
            }
            try {
                rt.addAddress(a);
            } catch (IOException e) {
                throw new IOException("adding address " + p + " to " + ifname + ": " + e.getMessage(), e);
            }
        }
        if (!link.up()) {
            rt.setUp(link.index(), true);
        }
        return link;
    }
}
