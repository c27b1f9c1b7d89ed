package org.cunicu4j.proxy;

import java.io.IOException;
import org.cunicu4j.proxy.ipt.IptablesProxy;
import org.cunicu4j.proxy.nft.NftablesProxy;
import org.cunicu4j.proxy.raw.RawSocketProxy;
import org.cunicu4j.proxy.user.UserspaceProxy;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Opens one of the modes for an external WireGuard device by its {@link ProxyMode}: the
 * single place that knows their classes, used by the daemon's selection.
 */
public final class ExternalModes {
    private ExternalModes() {}

    /**
     * Opens {@code mode} for the device behind {@code control} (borrowed) listening on
     * {@code listenPort}, in the calling thread's network namespace.
     *
     * @throws ProxyUnavailableException when the mode's prerequisites do not hold here (the reason)
     * @throws IllegalArgumentException for {@link ProxyMode#BIND}, which needs our own device
     */
    public static ExternalPortSharing open(ProxyMode mode, WireGuardControl control, int listenPort) throws IOException {
        return switch (mode) {
            case USER -> UserspaceProxy.open(control, listenPort);
            case RAW -> RawSocketProxy.open(control, listenPort);
            case NFTABLES -> NftablesProxy.open(control, listenPort);
            case IPTABLES -> IptablesProxy.open(control, listenPort);
            case BIND -> throw new IllegalArgumentException("proxy mode bind needs our own device, not " + control.name());
        };
    }
}
