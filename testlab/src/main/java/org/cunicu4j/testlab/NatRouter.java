package org.cunicu4j.testlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A NAT router of a lab: a host with IPv4 forwarding on, an inside LAN (a {@link Switch} of
 * its own, named {@code <router>-lan}) and an outside interface on an upstream switch
 * (usually the lab's public internet). One nftables table, {@code ip c4jnat}, masquerades
 * everything leaving the outside interface, with the mapping behaviour of its
 * {@link NatType}, and drops unsolicited packets arriving on it without leaving conntrack
 * state. Private hosts made with {@link #privateHost} route through it by default.
 *
 * <p>Made by {@link Lab#natRouter}; the lab owns the namespaces. Thread-safe.
 */
public final class NatRouter {
    /** The nftables table the router's rules live in. */
    public static final String TABLE = "c4jnat";

    private final Host host;
    private final Switch lan;
    private final Link outside;
    private final Link inside;
    private final String outsideCidr;
    private final String insideCidr;
    private volatile NatType type;

    NatRouter(Host host, Switch lan, Link outside, String outsideCidr, Link inside, String insideCidr,
            NatType type) {
        this.host = host;
        this.lan = lan;
        this.outside = outside;
        this.outsideCidr = outsideCidr;
        this.inside = inside;
        this.insideCidr = insideCidr;
        this.type = type;
    }

    /** Turns forwarding on and loads the NAT table; called once by the lab. */
    void configure() {
        host.sysctl("net.ipv4.ip_forward", "1");
        apply(type);
    }

    /** The router itself, e.g. to run {@code nft list ruleset} or tcpdump in it. */
    public Host host() {
        return host;
    }

    public NatType type() {
        return type;
    }

    /** The inside LAN switch; attach more hosts with {@link #privateHost} or {@link #attachPrivate}. */
    public Switch lan() {
        return lan;
    }

    /** The router's outside address (no prefix): what the internet sees as the source. */
    public String outsideIp() {
        return ipOf(outsideCidr);
    }

    /** The router's inside address (no prefix): the private hosts' default gateway. */
    public String insideIp() {
        return ipOf(insideCidr);
    }

    /** The outside interface's name in the router. */
    public String outsideInterface() {
        return outside.ifA();
    }

    /** The inside interface's name in the router. */
    public String insideInterface() {
        return inside.ifA();
    }

    /** Creates a host on the inside LAN with {@code cidr}, routing by default through this router. */
    public Host privateHost(String name, String cidr) {
        Host h = host.lab().host(name);
        attachPrivate(h, cidr);
        return h;
    }

    /** Attaches an existing host to the inside LAN and routes it by default through this router. */
    public Link attachPrivate(Host h, String cidr) {
        Link link = host.lab().attach(h, lan, cidr);
        h.run("ip", "route", "replace", "default", "via", insideIp());
        return link;
    }

    /** Replaces the NAT rules with those of {@code newType}; existing conntrack mappings stay. */
    public void setType(NatType newType) {
        apply(newType);
        this.type = newType;
    }

    /** The nftables ruleset this router loads for {@code t}. */
    String ruleset(NatType t) {
        return "table ip " + TABLE + " {\n"
                + "    chain postrouting {\n"
                + "        type nat hook postrouting priority srcnat; policy accept;\n"
                + "        oifname \"" + outsideInterface() + "\" " + t.nftStatement() + "\n"
                + "    }\n"
                // Unsolicited packets from outside are dropped after conntrack saw them but before
                // their entry is confirmed, so they leave no state: otherwise a peer's early
                // hole-punching packet would hold the tuple an inside host's first packet to that
                // peer needs, and masquerade would pick another port (a symmetric mapping).
                + "    chain unsolicited {\n"
                + "        type filter hook prerouting priority -150; policy accept;\n"
                + "        iifname \"" + outsideInterface() + "\" ct state new drop\n"
                + "    }\n"
                + "}\n";
    }

    private void apply(NatType t) {
        Path file = host.lab().workDir().resolve(host.name() + "-nat.nft");
        boolean loaded = host.exec("nft", "list", "table", "ip", TABLE).ok();
        String text = (loaded ? "delete table ip " + TABLE + "\n" : "") + ruleset(t);
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new LabException("cannot write " + file, e);
        }
        host.run("nft", "-f", file.toString());
    }

    private static String ipOf(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    @Override
    public String toString() {
        return "NAT router " + host.name() + " (" + type + ", outside " + outsideIp() + ")";
    }
}
