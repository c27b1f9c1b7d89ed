package org.cunicu4j.e2e.wg;

import java.io.IOException;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.uapi.UapiServer;

/** Serves a {@link WireGuardControl} on {@code /var/run/wireguard/<ifname>.sock}. Stateless. */
final class Uapi {
    private Uapi() {}

    /** {@code UapiServer.start(ifname, control)}; the result closes the server and removes its socket. */
    static AutoCloseable serve(String ifname, WireGuardControl control) throws IOException {
        return UapiServer.start(ifname, control);
    }
}
