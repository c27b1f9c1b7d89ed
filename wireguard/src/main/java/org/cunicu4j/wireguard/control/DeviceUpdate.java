package org.cunicu4j.wireguard.control;

import java.util.List;
import org.cunicu4j.wireguard.Key;

/**
 * A change to a WireGuard device: what a UAPI {@code set=1} or a netlink
 * {@code WG_CMD_SET_DEVICE} carries. Null fields are left unchanged. Immutable.
 *
 * @param privateKey a private key to set; an all-zero key removes it
 * @param listenPort null: unchanged; 0: choose a port; else 1..65535
 * @param fwmark null: unchanged; 0: clear
 * @param replacePeers remove every peer not named in {@code peers} before applying them
 */
public record DeviceUpdate(Key privateKey, Integer listenPort, Integer fwmark, boolean replacePeers, List<PeerUpdate> peers) {
    public DeviceUpdate {
        if (listenPort != null && (listenPort < 0 || listenPort > 65535)) {
            throw new IllegalArgumentException("listen port " + listenPort + " is not 0..65535");
        }
        peers = List.copyOf(peers);
    }

    /** An update of peers only. */
    public static DeviceUpdate peers(PeerUpdate... peers) {
        return new DeviceUpdate(null, null, null, false, List.of(peers));
    }
}
