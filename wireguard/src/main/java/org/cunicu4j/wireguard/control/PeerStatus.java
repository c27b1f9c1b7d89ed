package org.cunicu4j.wireguard.control;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;

/**
 * One peer of a {@link DeviceStatus}. Immutable.
 *
 * @param presharedKey null when none is set
 * @param endpoint null when unknown
 * @param persistentKeepaliveSeconds 0 when off
 * @param lastHandshake null when there has been none
 * @param protocolVersion 1 (0 when the device did not say)
 */
public record PeerStatus(
        Key publicKey,
        Key presharedKey,
        InetSocketAddress endpoint,
        int persistentKeepaliveSeconds,
        List<IpPrefix> allowedIps,
        Instant lastHandshake,
        long rxBytes,
        long txBytes,
        int protocolVersion) {
    public PeerStatus {
        allowedIps = List.copyOf(allowedIps);
    }
}
