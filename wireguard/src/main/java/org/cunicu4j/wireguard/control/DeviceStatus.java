package org.cunicu4j.wireguard.control;

import java.util.List;
import org.cunicu4j.wireguard.Key;

/**
 * A WireGuard device as {@code wg show} sees it: what a UAPI {@code get=1} or a netlink
 * {@code WG_CMD_GET_DEVICE} returns. Immutable.
 *
 * @param privateKey null when none is set (its bytes never appear in {@code toString})
 * @param listenPort 0 when not listening
 * @param fwmark 0 when unset
 */
public record DeviceStatus(Key privateKey, int listenPort, int fwmark, List<PeerStatus> peers) {
    public DeviceStatus {
        peers = List.copyOf(peers);
    }

    /** The public key of {@link #privateKey}, or null. */
    public Key publicKey() {
        return privateKey == null ? null : privateKey.publicKey();
    }
}
