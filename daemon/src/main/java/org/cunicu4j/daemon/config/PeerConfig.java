package org.cunicu4j.daemon.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;

/**
 * One entry of an interface's {@code peers:} map. Immutable; {@link #toString()} masks the
 * preshared key.
 *
 * @param name the key in the {@code peers:} map
 * @param publicKey required
 * @param presharedKey or null
 * @param endpoint {@code host:port} ({@code [v6]:port}) or null (found by ICE)
 * @param allowedIps the peer's allowed IPs (may be empty)
 * @param persistentKeepalive whole seconds 1..65535, or null (off)
 */
public record PeerConfig(
        String name,
        Key publicKey,
        Key presharedKey,
        String endpoint,
        List<IpPrefix> allowedIps,
        Duration persistentKeepalive) {

    public PeerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(publicKey, "publicKey");
        allowedIps = List.copyOf(allowedIps);
    }

    @Override
    public String toString() {
        return "PeerConfig[name=" + name + ", publicKey=" + publicKey.toBase64()
                + ", presharedKey=" + (presharedKey == null ? "none" : "***")
                + ", endpoint=" + endpoint + ", allowedIps=" + allowedIps
                + ", persistentKeepalive=" + persistentKeepalive + "]";
    }
}
