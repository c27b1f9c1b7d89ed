package org.cunicu4j.daemon;

import java.io.IOException;
import java.util.List;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.bind.BindProxy;
import org.cunicu4j.proxy.bind.ProxyBind;
import org.cunicu4j.proxy.user.UserspaceProxy;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.tun.VnetTun;

/**
 * Builds the port sharing of an interface from module {@code proxy}: our own device over a
 * {@link ProxyBind} with a {@link BindProxy}, or a {@link UserspaceProxy} for a device we
 * reach through a {@link WireGuardControl}; the reason shown in status says whether the mode
 * was chosen automatically or forced by the configuration. Stateless.
 */
final class Proxies {
    private Proxies() {}

    /** Our own device and the BindProxy sharing its sockets. */
    record OwnDevice(Device device, PortSharing sharing) {}

    /**
     * Creates the TUN {@code ifname} and our device over a ProxyBind (in the calling thread's
     * namespace), and the BindProxy over both.
     *
     * @param forcedBy null when chosen automatically, else where {@code proxy: bind} was set
     */
    static OwnDevice ownDevice(String ifname, DeviceOptions options, String forcedBy) throws IOException {
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
            return new OwnDevice(device, withReason(BindProxy.open(device, bind), forcedBy));
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    /**
     * A UserspaceProxy for the device behind {@code control} (borrowed) listening on {@code listenPort}.
     *
     * @param forcedBy null when chosen automatically, else where {@code proxy: user} was set
     */
    static PortSharing userspace(WireGuardControl control, int listenPort, String forcedBy) throws IOException {
        return withReason(UserspaceProxy.open(control, listenPort), forcedBy);
    }

    private static PortSharing withReason(PortSharing sharing, String forcedBy) {
        String reason = forcedBy == null ? "auto: " + sharing.reason()
                : "forced by proxy: " + sharing.mode().configName() + " in " + forcedBy;
        return new Reasoned(sharing, reason);
    }

    /** The port sharing itself, without the wrapper that gives its reason. */
    static PortSharing unwrap(PortSharing sharing) {
        return sharing instanceof Reasoned r ? r.delegate() : sharing;
    }

    /** A port sharing whose {@link #reason()} says how the mode was chosen. */
    private record Reasoned(PortSharing delegate, String reason) implements PortSharing {
        @Override
        public ProxyMode mode() {
            return delegate.mode();
        }

        @Override
        public List<Gatherer> gatherers(GatherSettings settings) throws IOException {
            return delegate.gatherers(settings);
        }

        @Override
        public PeerProxy attach(Key peer, IceAgent agent) throws IOException {
            return delegate.attach(peer, agent);
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
