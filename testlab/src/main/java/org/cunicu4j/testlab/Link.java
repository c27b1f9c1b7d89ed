package org.cunicu4j.testlab;

/** A veth link between two hosts: interface {@code ifA} in {@code a}, {@code ifB} in {@code b}. */
public record Link(Host a, String ifA, Host b, String ifB) {

    void configure(Host host, String ifname, String cidr) {
        if (cidr != null) {
            if (cidr.contains(":")) {
                host.run("ip", "addr", "add", cidr, "dev", ifname, "nodad");
            } else {
                host.run("ip", "addr", "add", cidr, "dev", ifname);
            }
        }
        host.run("ip", "link", "set", ifname, "up");
    }
}
