package org.cunicu4j.testlab;

/**
 * An Ethernet switch of a lab: a bridge {@code br0} inside a namespace of its own. Hosts
 * join it with {@link Lab#attach}; each gets a veth whose other end is a bridge port. The
 * lab owns it: deleting the namespace on close removes the bridge and its ports.
 */
public final class Switch {
    /** The bridge's interface name inside the switch namespace. */
    public static final String BRIDGE = "br0";

    private final String name;
    private final Host namespace;

    Switch(String name, Host namespace) {
        this.name = name;
        this.namespace = namespace;
    }

    public String name() {
        return name;
    }

    /** The switch's namespace name (holding the bridge and its ports). */
    public String netns() {
        return namespace.netns();
    }

    /** The namespace as a host, for the lab to add ports and for diagnostics. */
    Host namespace() {
        return namespace;
    }

    @Override
    public String toString() {
        return "switch " + name + " (netns " + netns() + ")";
    }
}
