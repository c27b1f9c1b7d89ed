package org.cunicu4j.daemon.pdisc;

import org.cunicu4j.wireguard.Key;

/**
 * What peer discovery acts on: the WireGuard peers of one interface (and, through the
 * daemon, whatever follows them: endpoint discovery sessions, routes, hosts).
 *
 * <p>Called from peer discovery's own thread, one call at a time, in the order descriptions
 * arrived; a call may block briefly (a UAPI or netlink round trip). An exception is logged
 * and counted ({@link PeerDiscoveryStats#sinkErrors()}); the peer is then not recorded as
 * known, so its next description tries again.
 */
public interface PeerSink {

    /** A new member: add a WireGuard peer with its allowed IPs (and remember its name). */
    void add(DiscoveredPeer peer) throws Exception;

    /** A known member advertised something new: replace its allowed IPs and name. */
    void update(DiscoveredPeer peer) throws Exception;

    /** A member left: remove its WireGuard peer. */
    void remove(Key publicKey) throws Exception;

    /**
     * A member changed its key from {@code oldKey} to {@code peer.publicKey()}. The default
     * removes the old peer and adds the new one (what cunīcu does).
     */
    default void rotate(Key oldKey, DiscoveredPeer peer) throws Exception {
        remove(oldKey);
        add(peer);
    }
}
