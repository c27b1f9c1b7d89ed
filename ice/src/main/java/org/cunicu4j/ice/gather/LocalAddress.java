package org.cunicu4j.ice.gather;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An address of a local interface, as a {@link HostGatherer} considers it.
 *
 * @param ifname the interface's name
 * @param ifindex the interface's index
 * @param up whether the interface is up
 * @param loopback whether the interface is a loopback interface
 * @param address the IPv4 or IPv6 address
 */
public record LocalAddress(String ifname, int ifindex, boolean up, boolean loopback, InetAddress address) {
    public LocalAddress {
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(address, "address");
    }
}
