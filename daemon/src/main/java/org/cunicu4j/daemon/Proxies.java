package org.cunicu4j.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.proxy.bind.BindProxy;
import org.cunicu4j.proxy.bind.ProxyBind;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.tun.VnetTun;

/**
 * Builds the port sharing of an interface from module {@code proxy}: our own device over a
 * {@link ProxyBind} with a {@link BindProxy}, or for a device we reach through a
 * {@link WireGuardControl} one of the external modes (forced, or with {@code proxy: auto}
 * nftables, then iptables, then raw, then the user-space proxy, each only when it opens
 * here); the reason shown in status says whether the mode was forced by the configuration
 * or chosen automatically, and why every better mode was passed over. Stateless.
 */
final class Proxies {
    private static final System.Logger LOG = System.getLogger(Proxies.class.getName());

    /** What {@code proxy: auto} tries for an external device, in order: the first that opens serves. */
    static final List<ProxyMode> AUTO_ORDER = List.of(ProxyMode.NFTABLES, ProxyMode.IPTABLES, ProxyMode.RAW,
            ProxyMode.USER);

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
     * The port sharing for the device behind {@code control} (borrowed) listening on
     * {@code listenPort}, in the calling thread's namespace: the mode {@code forced} by the
     * configuration, or with {@code proxy: auto} ({@code forced} null) the first of
     * {@link #AUTO_ORDER} that opens here. The reason records every mode passed over and why
     * ({@code "auto: nftables unavailable: ...; iptables unavailable: ...; chose raw: ..."}).
     *
     * @param source the configuration's file, named in the reason and in errors
     * @param modes opens one mode ({@link ExternalModeOpener#REAL} in production)
     * @throws DaemonException when the forced mode cannot serve here (naming the key, the file and why)
     * @throws IOException when no mode could be opened (every reason named)
     */
    static PortSharing external(WireGuardControl control, int listenPort, ProxyMode forced, String source,
            ExternalModeOpener modes) throws IOException {
        if (forced != null) {
            if (forced == ProxyMode.BIND) {
                throw new IllegalArgumentException("proxy: bind needs our own device, not " + control.name());
            }
            ExternalPortSharing sharing;
            try {
                sharing = modes.open(forced, control, listenPort);
            } catch (ProxyUnavailableException e) {
                throw new DaemonException("proxy: " + forced.configName() + " in " + source + " cannot serve "
                        + control.name() + ": " + e.getMessage() + " (fix that, or set proxy: auto to fall back)", e);
            }
            return withReason(sharing, source);
        }
        List<String> passedOver = new ArrayList<>();
        IOException failures = null;
        for (ProxyMode m : AUTO_ORDER) {
            try {
                ExternalPortSharing sharing = modes.open(m, control, listenPort);
                StringBuilder reason = new StringBuilder("auto: ");
                for (String p : passedOver) {
                    reason.append(p).append("; ");
                }
                reason.append("chose ").append(sharing.mode().configName()).append(": ").append(sharing.reason());
                if (!passedOver.isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "{0}: {1}", control.name(), reason);
                }
                return new Reasoned(sharing, reason.toString());
            } catch (ProxyUnavailableException e) {
                passedOver.add(e.getMessage());
                failures = chain(failures, e);
            } catch (IOException | UncheckedIOException e) {
                // prerequisites held but setting the mode up failed: say so and try the next one
                String why = m.configName() + " failed: "
                        + (e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage());
                LOG.log(System.Logger.Level.WARNING, "{0}: proxy {1}", control.name(), why);
                passedOver.add(why);
                failures = chain(failures, e);
            }
        }
        IOException e = new IOException("no proxy mode can serve " + control.name() + ": " + String.join("; ", passedOver));
        if (failures != null) {
            e.initCause(failures);
        }
        throw e;
    }

    private static IOException chain(IOException first, Exception next) {
        if (first == null) {
            return next instanceof IOException io ? io : new IOException(next.getMessage(), next);
        }
        first.addSuppressed(next);
        return first;
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
