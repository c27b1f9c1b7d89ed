package org.cunicu4j.wireguard.control;

import java.io.IOException;
import java.nio.file.Path;
import org.cunicu4j.wireguard.netlink.NetlinkWireGuardControl;
import org.cunicu4j.wireguard.uapi.UapiClient;
import org.cunicu4j.wireguard.uapi.UapiSockets;

/**
 * Finds the way to control a WireGuard device by name, as {@code wg} does: a userspace
 * device's UAPI socket first, else the kernel's generic netlink. Stateless.
 */
public final class WireGuardControls {
    private WireGuardControls() {}

    /**
     * A control for {@code ifname}: {@link UapiClient} when
     * {@code /var/run/wireguard/<ifname>.sock} is a live socket, else {@link NetlinkWireGuardControl}
     * (a stale socket there is removed).
     *
     * @throws IOException naming both ways when neither is there
     */
    public static WireGuardControl open(String ifname) throws IOException {
        Path socket = UapiSockets.socketOf(ifname);
        if (UapiSockets.usable(socket)) { // a stale socket is removed and ignored, as wg does
            return UapiClient.of(ifname, socket);
        }
        try {
            NetlinkWireGuardControl nl = NetlinkWireGuardControl.open(ifname);
            try {
                nl.status(); // the device must exist
                return nl;
            } catch (IOException e) {
                nl.close();
                throw new IOException("no WireGuard device " + ifname + ": no UAPI socket " + socket
                        + ", and the kernel's wireguard netlink family says: " + e.getMessage(), e);
            }
        } catch (NetlinkWireGuardControl.NoWireGuardFamilyException e) {
            throw new IOException("no WireGuard device " + ifname + ": no UAPI socket " + socket + ", and "
                    + NetlinkWireGuardControl.NO_FAMILY, e);
        }
    }
}
