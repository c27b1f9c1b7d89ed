package org.cunicu4j.proxy.nft;

import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.wireguard.control.WireGuardControl;

/** Seam stub: nftables port rewriting for an external device (issue 8). Replaced by the real mode. */
public final class NftablesProxy {
    private NftablesProxy() {}

    /**
     * Opens this mode for the device behind {@code control} listening on {@code listenPort}, in
     * the calling thread's network namespace.
     *
     * @throws ProxyUnavailableException when its prerequisites do not hold here (the reason)
     * @throws java.io.IOException when setting it up failed otherwise
     */
    public static ExternalPortSharing open(WireGuardControl control, int listenPort) throws java.io.IOException {
        throw new ProxyUnavailableException(ProxyMode.NFTABLES, "not built yet");
    }
}
