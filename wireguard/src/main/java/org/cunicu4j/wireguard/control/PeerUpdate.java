package org.cunicu4j.wireguard.control;

import java.net.InetSocketAddress;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;

/**
 * A change to one peer, keyed by its public key. Null fields are left unchanged; a peer
 * that does not exist is created unless {@code updateOnly}. Immutable.
 *
 * @param remove remove the peer (every other field is ignored)
 * @param updateOnly change the peer only if it exists
 * @param presharedKey a preshared key; an all-zero key removes it
 * @param persistentKeepaliveSeconds 0 turns it off; at most 65535
 * @param replaceAllowedIps clear the allowed IPs before adding {@code allowedIps}
 * @param allowedIps prefixes to add
 */
public record PeerUpdate(
        Key publicKey,
        boolean remove,
        boolean updateOnly,
        Key presharedKey,
        InetSocketAddress endpoint,
        Integer persistentKeepaliveSeconds,
        boolean replaceAllowedIps,
        List<IpPrefix> allowedIps) {
    public PeerUpdate {
        if (persistentKeepaliveSeconds != null && (persistentKeepaliveSeconds < 0 || persistentKeepaliveSeconds > 65535)) {
            throw new IllegalArgumentException("persistent keepalive " + persistentKeepaliveSeconds + " s is not 0..65535");
        }
        allowedIps = List.copyOf(allowedIps);
    }

    /** Removes the peer with {@code publicKey}. */
    public static PeerUpdate removal(Key publicKey) {
        return new PeerUpdate(publicKey, true, false, null, null, null, false, List.of());
    }

    /** Sets only the endpoint of an existing peer. */
    public static PeerUpdate endpoint(Key publicKey, InetSocketAddress endpoint) {
        return new PeerUpdate(publicKey, false, true, null, endpoint, null, false, List.of());
    }
}
