package org.cunicu4j.daemon;

import java.io.IOException;
import org.cunicu4j.proxy.BindProxy;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.proxy.ProxyBind;
import org.cunicu4j.proxy.UserspaceProxy;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.tun.VnetTun;

/**
 * Builds the port sharing of an interface from module {@code proxy}: our own device over a
 * {@link ProxyBind} with a {@link BindProxy}, or a {@link UserspaceProxy} for a device we
 * reach through a {@link WireGuardControl}. Stateless.
 */
final class Proxies {
    private Proxies() {}

    /** Our own device and the BindProxy sharing its sockets. */
    record OwnDevice(Device device, PortSharing sharing) {}

    /**
     * Creates the TUN {@code ifname} and our device over a ProxyBind (in the calling thread's
     * namespace), and the BindProxy over both.
     */
    static OwnDevice ownDevice(String ifname, DeviceOptions options, String reason) throws IOException {
        ProxyBind bind = new ProxyBind();
        VnetTun tun;
        try {
            tun = VnetTun.create(ifname, options.mtu());
        } catch (IOException | RuntimeException e) {
            bind.close();
            throw e;
        }
        Device device = Device.open(tun, bind, options); // owns tun and bind, closes both on failure
        try {
            return new OwnDevice(device, new BindProxy(device, bind, reason));
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    /** A UserspaceProxy for the device behind {@code control} (not owned). */
    static PortSharing userspace(WireGuardControl control, String reason) throws IOException {
        return new UserspaceProxy(control, reason);
    }
}
