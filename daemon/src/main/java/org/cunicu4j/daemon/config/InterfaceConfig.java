package org.cunicu4j.daemon.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;

/**
 * The settings of one WireGuard interface: the top-level defaults merged with every
 * matching {@code interfaces:} entry ({@link DaemonConfig#interfaceConfig(String)}).
 * Immutable; {@link #toString()} masks the private key and the secrets inside.
 *
 * @param privateKey {@code private_key}, or null (keep the device's, or generate one)
 * @param listenPort {@code listen_port}, or null (pick a free one from {@link #listenPortRange()})
 * @param listenPortRange {@code listen_port_range} (default 51820-51899)
 * @param userspace {@code userspace}: true (default) creates our own Java device
 * @param mtu {@code mtu}, or null (the device's default)
 * @param addresses {@code addresses} assigned to the interface
 * @param peers {@code peers} by name, in file order
 * @param ice the {@code ice:} section
 * @param proxy {@code proxy}: empty for {@code auto}
 */
public record InterfaceConfig(
        Key privateKey,
        Integer listenPort,
        PortRange listenPortRange,
        boolean userspace,
        Integer mtu,
        List<IpPrefix> addresses,
        Map<String, PeerConfig> peers,
        IceSettings ice,
        Optional<ProxyMode> proxy) {

    /** Every default: no key, port from 51820-51899, userspace, no addresses or peers, default ICE, auto proxy. */
    public static final InterfaceConfig DEFAULT = new InterfaceConfig(null, null, PortRange.DEFAULT, true, null,
            List.of(), Map.of(), IceSettings.DEFAULT, Optional.empty());

    public InterfaceConfig {
        Objects.requireNonNull(listenPortRange, "listenPortRange");
        addresses = List.copyOf(addresses);
        peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
        Objects.requireNonNull(ice, "ice");
        Objects.requireNonNull(proxy, "proxy");
    }

    @Override
    public String toString() {
        return "InterfaceConfig[privateKey=" + (privateKey == null ? "none" : "***")
                + ", listenPort=" + listenPort + ", listenPortRange=" + listenPortRange
                + ", userspace=" + userspace + ", mtu=" + mtu + ", addresses=" + addresses
                + ", peers=" + peers.values() + ", ice=" + ice
                + ", proxy=" + proxy.map(ProxyMode::configName).orElse("auto") + "]";
    }
}
