package org.cunicu4j.e2e.wg;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Serves a {@link WireGuardControl} on {@code /var/run/wireguard/<ifname>.sock} through the
 * wireguard module's {@code org.cunicu4j.wireguard.uapi.UapiServer}, looked up at run time:
 * the UAPI server and the device are built on separate branches, and this module compiles
 * against whichever has landed. Stateless.
 */
final class Uapi {
    private static final String SERVER = "org.cunicu4j.wireguard.uapi.UapiServer";

    private Uapi() {}

    /** {@code UapiServer.start(ifname, control)}; the result closes the server and removes its socket. */
    static AutoCloseable serve(String ifname, WireGuardControl control) throws IOException {
        try {
            Class<?> c = Class.forName(SERVER);
            return (AutoCloseable) c.getMethod("start", String.class, WireGuardControl.class)
                    .invoke(null, ifname, control);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("UapiServer.start(" + ifname + ") failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no UAPI server on the class path (" + SERVER + "): " + e, e);
        }
    }
}
