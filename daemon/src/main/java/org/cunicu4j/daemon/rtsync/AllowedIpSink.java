package org.cunicu4j.daemon.rtsync;

import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;

/**
 * What {@link RouteSync} changes on the WireGuard side: a peer's allowed IPs. Called without
 * any lock of {@link RouteSync} held, on the route watch's thread or the caller's.
 */
public interface AllowedIpSink {
    /** Adds {@code prefix} to {@code peer}'s allowed IPs (a route via the peer appeared). */
    void addAllowedIp(Key peer, IpPrefix prefix);

    /** Removes {@code prefix} from {@code peer}'s allowed IPs (that route went). */
    void removeAllowedIp(Key peer, IpPrefix prefix);
}
