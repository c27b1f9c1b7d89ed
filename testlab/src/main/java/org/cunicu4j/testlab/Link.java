package org.cunicu4j.testlab;

/**
 * A veth link: interface {@code ifA} in {@code a}, {@code ifB} in {@code b}. For a host
 * attached to a {@link Switch}, {@code b} is the switch's namespace and {@code ifB} its port.
 */
public record Link(Host a, String ifA, Host b, String ifB) {

    /** Gives {@code ifname} the addresses (CIDR; none for a bare port) and sets it up. */
    static void configure(Host host, String ifname, String... cidrs) {
        for (String cidr : cidrs) {
            if (cidr == null) {
                continue;
            }
            if (cidr.contains(":")) {
                host.run("ip", "addr", "add", cidr, "dev", ifname, "nodad");
            } else {
                host.run("ip", "addr", "add", cidr, "dev", ifname);
            }
            host.recordAddress(cidr);
        }
        host.run("ip", "link", "set", ifname, "up");
    }
}
