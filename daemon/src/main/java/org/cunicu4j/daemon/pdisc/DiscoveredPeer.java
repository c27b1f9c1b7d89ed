package org.cunicu4j.daemon.pdisc;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;

/**
 * A community member as its last accepted description advertised it: its public key, its
 * host name (empty when it advertised none), the allowed IPs to give its WireGuard peer
 * (its addresses as host prefixes and the networks it routes), and the names it wants
 * resolved ({@code hosts}: its own name and any extra hosts, for hsync).
 *
 * <p>Immutable; the lists and map are unmodifiable copies (the map keeps the advertised order).
 */
public record DiscoveredPeer(Key publicKey, String name, List<IpPrefix> allowedIps,
        Map<String, List<InetAddress>> hosts) {

    public DiscoveredPeer {
        Objects.requireNonNull(publicKey, "publicKey");
        if (publicKey.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("a peer is named by its public key, got a " + publicKey.type() + " key");
        }
        name = Objects.requireNonNull(name, "name");
        allowedIps = List.copyOf(allowedIps);
        Map<String, List<InetAddress>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, List<InetAddress>> e : hosts.entrySet()) {
            copy.put(Objects.requireNonNull(e.getKey(), "host name"), List.copyOf(e.getValue()));
        }
        hosts = java.util.Collections.unmodifiableMap(copy);
    }
}
