package org.cunicu4j.daemon;

import java.io.IOException;
import org.cunicu4j.proxy.ExternalModes;
import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Opens one port-sharing mode for an external device (module {@code proxy}'s
 * {@link ExternalModes#open} in production): the seam through which the daemon's selection
 * ({@code proxy: auto} tries nftables, iptables, raw, then user) can be driven by fakes in
 * tests. Implementations are called on the daemon's thread, in the device's namespace.
 */
@FunctionalInterface
public interface ExternalModeOpener {
    /** Module proxy's real modes. */
    ExternalModeOpener REAL = ExternalModes::open;

    /**
     * Opens {@code mode} for the device behind {@code control} (borrowed) listening on {@code listenPort}.
     *
     * @throws org.cunicu4j.proxy.ProxyUnavailableException when the mode's prerequisites do not hold here
     * @throws IOException when setting it up failed otherwise
     */
    ExternalPortSharing open(ProxyMode mode, WireGuardControl control, int listenPort) throws IOException;
}
