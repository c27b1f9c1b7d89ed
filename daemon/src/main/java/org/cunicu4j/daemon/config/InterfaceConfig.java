package org.cunicu4j.daemon.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.cunicu4j.daemon.autocfg.DerivedAddresses;
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
 * @param prefixes {@code prefixes}: one address derived from our public key per prefix
 *        (default {@link DerivedAddresses#DEFAULT_PREFIXES}); empty derives none
 * @param community {@code community}: the peer-discovery passphrase (secret); empty: discovery off
 * @param discoverPeers {@code discover_peers} (default true): discovery runs when a community is set too
 * @param whitelist {@code whitelist}: when not empty, only these public keys are discovered
 * @param blacklist {@code blacklist}: public keys never discovered
 * @param hostname {@code hostname} we announce, or null (the system's)
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
        Optional<ProxyMode> proxy,
        List<IpPrefix> prefixes,
        String community,
        boolean discoverPeers,
        List<Key> whitelist,
        List<Key> blacklist,
        String hostname) {

    /**
     * Every default: no key, port from 51820-51899, userspace, no addresses or peers, default ICE, auto proxy,
     * the default prefixes, no community (discovery off), no white- or blacklist, the system's host name.
     */
    public static final InterfaceConfig DEFAULT = new InterfaceConfig(null, null, PortRange.DEFAULT, true, null,
            List.of(), Map.of(), IceSettings.DEFAULT, Optional.empty());

    public InterfaceConfig {
        Objects.requireNonNull(listenPortRange, "listenPortRange");
        addresses = List.copyOf(addresses);
        peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
        Objects.requireNonNull(ice, "ice");
        Objects.requireNonNull(proxy, "proxy");
        prefixes = List.copyOf(prefixes);
        Objects.requireNonNull(community, "community");
        whitelist = List.copyOf(whitelist);
        blacklist = List.copyOf(blacklist);
    }

    /** The settings before zero configuration: its keys at their defaults. */
    public InterfaceConfig(Key privateKey, Integer listenPort, PortRange listenPortRange, boolean userspace, Integer mtu,
            List<IpPrefix> addresses, Map<String, PeerConfig> peers, IceSettings ice, Optional<ProxyMode> proxy) {
        this(privateKey, listenPort, listenPortRange, userspace, mtu, addresses, peers, ice, proxy,
                DerivedAddresses.DEFAULT_PREFIXES, "", true, List.of(), List.of(), null);
    }

    /** True when peer discovery should run: a community is set and {@code discover_peers} is true. */
    public boolean discoveryEnabled() {
        return discoverPeers && !community.isEmpty();
    }

    @Override
    public String toString() {
        return "InterfaceConfig[privateKey=" + (privateKey == null ? "none" : "***")
                + ", listenPort=" + listenPort + ", listenPortRange=" + listenPortRange
                + ", userspace=" + userspace + ", mtu=" + mtu + ", addresses=" + addresses
                + ", peers=" + peers.values() + ", ice=" + ice
                + ", proxy=" + proxy.map(ProxyMode::configName).orElse("auto") + ", prefixes=" + prefixes
                + ", community=" + (community.isEmpty() ? "none" : "***") + ", discoverPeers=" + discoverPeers
                + ", whitelist=" + whitelist + ", blacklist=" + blacklist + ", hostname=" + hostname + "]";
    }
}
