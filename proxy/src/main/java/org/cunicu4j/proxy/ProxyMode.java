package org.cunicu4j.proxy;

import java.util.Locale;

/**
 * The five ways of sharing a port (ARCHITECTURE.md, "The five ways to share a port"). The
 * configuration's {@code proxy:} key names them by {@link #configName()}; {@code auto} there
 * means "the best one whose prerequisites hold".
 */
public enum ProxyMode {
    /** Our own device: ICE on WireGuard's sockets through the Bind; relay inside the Bind. */
    BIND,
    /** External device: a loopback socket per peer, packets copied to and from ICE. */
    USER,
    /** External device: a raw socket with a BPF filter for STUN on the WireGuard port. */
    RAW,
    /** External device: nftables port rewriting. */
    NFTABLES,
    /** External device: iptables port rewriting. */
    IPTABLES;

    /** The name in configuration and status: {@code bind}, {@code user}, {@code raw}, ... */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode named {@code name} (as {@link #configName()}, any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ProxyMode fromConfigName(String name) {
        for (ProxyMode m : values()) {
            if (m.configName().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown proxy mode '" + name + "' (expected auto, bind, user, raw, nftables or iptables)");
    }
}
