package org.cunicu4j.daemon;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.autocfg.AutoConfig;
import org.cunicu4j.daemon.config.IceSettings;
import org.cunicu4j.daemon.config.InterfaceConfig;
import org.cunicu4j.daemon.config.PeerConfig;
import org.cunicu4j.daemon.epdisc.EndpointDiscovery;
import org.cunicu4j.daemon.pdisc.CommunityKey;
import org.cunicu4j.daemon.pdisc.KeyFilter;
import org.cunicu4j.daemon.pdisc.PeerDiscovery;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.control.WireGuardControls;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.uapi.UapiClient;
import org.cunicu4j.wireguard.uapi.UapiServer;
import org.cunicu4j.wireguard.uapi.UapiSockets;

/**
 * Brings one interface under management: takes its lock, adopts the existing device or
 * creates our own, chooses the proxy mode (BindProxy for our own device unless another mode
 * is forced; for an external device the forced mode or {@code proxy: auto}'s choice, see
 * {@link Proxies#external}), applies the configuration once (private key,
 * listen port, peers, addresses, MTU, link up) with cunīcu's auto-configuration
 * ({@link AutoConfig}: a generated private key when none is configured or on the device, the
 * MTU detected from the peers' endpoints for our own device when {@code mtu} is unset, the
 * addresses derived from our public key for each of {@code prefixes} next to the static
 * {@code addresses}) and starts endpoint discovery for its peers, and, when a {@code community}
 * is set and {@code discover_peers} is true, peer discovery ({@link PeerDiscovery}) whose
 * members become WireGuard peers through {@link DiscoveredPeers} on the daemon thread.
 * Runs on the daemon's thread (so sockets and the TUN land in the daemon's namespace).
 * Stateless apart from what the daemon hands it.
 */
final class InterfaceSetup {
    private static final System.Logger LOG = System.getLogger(InterfaceSetup.class.getName());

    private final RtNetlink rt;
    private final SignalingBackend backend;
    private final Consumer<DaemonEvent> events;
    private final Path lockDir;
    private final String source;
    private final ExternalModeOpener modes;
    private final Executor daemonThread;
    /** Community keys by passphrase: Argon2id costs a second or so, once per passphrase. */
    private final Map<String, Key> communities = new ConcurrentHashMap<>();

    /**
     * @param source the configuration's source (file path), named in errors
     * @param modes opens the port-sharing modes of external devices (and of ours with a forced external mode)
     * @param daemonThread the daemon's thread, where peer discovery's device changes run
     */
    InterfaceSetup(RtNetlink rt, SignalingBackend backend, Consumer<DaemonEvent> events, Path lockDir, String source,
            ExternalModeOpener modes, Executor daemonThread) {
        this.daemonThread = daemonThread;
        this.modes = modes;
        this.rt = rt;
        this.backend = backend;
        this.events = events;
        this.lockDir = lockDir;
        this.source = source;
    }

    /**
     * Manages {@code ifname} with {@code cfg}.
     *
     * @throws DaemonException for what the user can fix (named)
     * @throws IOException when the device or the system refused (named)
     */
    ManagedInterface setUp(String ifname, InterfaceConfig cfg) throws IOException {
        UapiSockets.checkName(ifname);
        InterfaceLock lock = InterfaceLock.acquire(lockDir, ifname);
        List<AutoCloseable> undo = new ArrayList<>();
        try {
            ManagedInterface mi = build(ifname, cfg, lock, undo);
            undo.clear();
            return mi;
        } catch (IOException | RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            lock.close();
            throw e;
        }
    }

    private ManagedInterface build(String ifname, InterfaceConfig cfg, InterfaceLock lock, List<AutoCloseable> undo)
            throws IOException {
        AutoConfig auto = autoConfig(cfg);
        boolean linkExists = rt.findLink(ifname).isPresent();
        boolean liveUapi = UapiSockets.usable(UapiSockets.socketOf(ifname));
        Device device = null;
        UapiServer uapi = null;
        WireGuardControl control;
        String kind;
        PortSharing sharing;
        ProxyMode forced = cfg.proxy().orElse(null);
        int port;
        if (linkExists) {
            try {
                control = WireGuardControls.open(ifname);
            } catch (IOException e) {
                throw new DaemonException("interface " + ifname + " exists but is not a WireGuard device we can control: "
                        + e.getMessage());
            }
            undo.add(control);
            kind = control instanceof UapiClient ? ManagedInterface.UAPI : ManagedInterface.KERNEL;
            if (forced == ProxyMode.BIND) {
                throw new DaemonException("proxy: bind needs our own device, but " + ifname + " is an existing "
                        + kind + " device: use proxy: auto, user, raw, nftables or iptables (" + source + ")");
            }
            List<PeerUpdate> peers = peerUpdates(ifname, cfg);
            AutoConfig.DeviceKeys keys = auto.configureDevice(control);
            control.apply(new DeviceUpdate(null, null, null, false, peers));
            DeviceStatus st = control.status();
            Key key = st.privateKey();
            if (key == null || !key.publicKey().equals(keys.publicKey())) {
                throw new DaemonException("interface " + ifname + ": the " + kind + " device did not take the private key "
                        + "(its public key is " + (st.publicKey() == null ? "none" : st.publicKey().toBase64()) + ", expected "
                        + keys.publicKey().toBase64() + ")");
            }
            sharing = Proxies.external(control, st.listenPort(), forced, source, modes);
            undo.add(sharing);
            return finish(ifname, kind, cfg, control, null, null, sharing, lock, key, keys.changed() ? keys.previousPublicKey()
                    : null, auto, undo);
        }
        if (liveUapi) {
            throw new DaemonException("a WireGuard device named " + ifname + " runs in another network namespace (its UAPI socket "
                    + UapiSockets.socketOf(ifname) + " is live): interface names must be unique on this machine");
        }
        if (!cfg.userspace()) {
            throw new DaemonException("interface " + ifname + " does not exist and userspace is false: this version cannot "
                    + "create kernel WireGuard interfaces (set userspace: true in " + source + ")");
        }
        Key key = auto.privateKey(ifname, null);
        port = ListenPorts.choose(cfg.listenPort(), cfg.listenPortRange().min(), cfg.listenPortRange().max(), source);
        List<PeerUpdate> peers = peerUpdates(ifname, cfg);
        List<InetAddress> endpoints = new ArrayList<>();
        for (PeerUpdate p : peers) {
            if (p.endpoint() != null && p.endpoint().getAddress() != null) {
                endpoints.add(p.endpoint().getAddress());
            }
        }
        // the configured mtu, else detected from the routes to the peers' endpoints (wg-quick's way)
        DeviceOptions options = DeviceOptions.defaults().withPrivateKey(key).withListenPort(port)
                .withMtu(auto.mtu(endpoints));
        if (forced != null && forced != ProxyMode.BIND) {
            // our device as an external one: its own UDP sockets, driven through its control like
            // wireguard-go, with the forced mode (user-space copies, raw socket, nftables, iptables) over it
            device = Device.create(ifname, options);
            undo.add(device);
            sharing = Proxies.external(device, device.listenPort(), forced, source, modes);
        } else {
            Proxies.OwnDevice own = Proxies.ownDevice(ifname, options, forced == null ? null : source);
            device = own.device();
            undo.add(device);
            sharing = own.sharing();
        }
        undo.add(sharing);
        uapi = UapiServer.start(ifname, device);
        undo.add(uapi);
        kind = ManagedInterface.OURS;
        control = device;
        device.apply(new DeviceUpdate(null, null, null, false, peers));
        return finish(ifname, kind, cfg, control, device, uapi, sharing, lock, key, null, auto, undo);
    }

    /** The auto-configuration of {@code cfg}; settings it refuses (an IPv6 prefix with mtu below 1280) are named. */
    private AutoConfig autoConfig(InterfaceConfig cfg) {
        try {
            return new AutoConfig(AutoConfig.Settings.from(cfg, cfg.prefixes(), source), rt);
        } catch (IllegalArgumentException e) {
            throw new DaemonException(e.getMessage());
        }
    }

    /**
     * @param previousPublicKey an adopted device's public key before we replaced its private key, or null
     */
    private ManagedInterface finish(String ifname, String kind, InterfaceConfig cfg, WireGuardControl control, Device device,
            UapiServer uapi, PortSharing sharing, InterfaceLock lock, Key key, Key previousPublicKey, AutoConfig auto,
            List<AutoCloseable> undo) throws IOException {
        // static addresses (and an adopted device's configured mtu), link up; then the derived addresses
        LinkSetup.apply(rt, ifname, cfg.addresses(), device == null ? cfg.mtu() : null);
        if (previousPublicKey != null) {
            auto.publicKeyChanged(ifname, previousPublicKey, key.publicKey());
        }
        auto.configureLink(ifname, key.publicKey(), OptionalInt.empty());
        EndpointDiscovery epdisc = EndpointDiscovery.open(ifname, key, backend, sharing,
                cfg.ice().gatherSettings(), iceConfig(cfg.ice()), events);
        undo.add(epdisc);
        DiscoveredPeers discovered = null;
        PeerDiscovery pdisc = null;
        if (cfg.discoveryEnabled()) {
            discovered = new DiscoveredPeers(control, cfg.prefixes(), daemonThread);
            List<org.cunicu4j.net.IpPrefix> prefixes = cfg.prefixes();
            pdisc = PeerDiscovery.start(ifname, key, discoverySettings(ifname, cfg), backend, discovered,
                    k -> org.cunicu4j.daemon.autocfg.DerivedAddresses.addresses(k, prefixes).stream()
                            .map(org.cunicu4j.net.IpPrefix::address).toList());
            undo.add(pdisc);
        }
        ManagedInterface mi = new ManagedInterface(ifname, kind, cfg, control, device, uapi, sharing, epdisc, lock,
                key.publicKey(), auto, pdisc, discovered);
        LOG.log(System.Logger.Level.INFO, "{0}: {1} device, public key {2}, listen port {3}, proxy {4} ({5})", ifname, kind,
                key.publicKey().toBase64(), String.valueOf(control.status().listenPort()), sharing.mode().configName(),
                sharing.reason());
        return mi;
    }

    /** What peer discovery announces and accepts on {@code ifname}. */
    private PeerDiscovery.Settings discoverySettings(String ifname, InterfaceConfig cfg) {
        Key community = communities.computeIfAbsent(cfg.community(), CommunityKey::derive);
        String hostname = cfg.hostname() != null ? cfg.hostname() : systemHostname();
        try {
            KeyFilter filter = new KeyFilter(Set.copyOf(cfg.whitelist()), Set.copyOf(cfg.blacklist()));
            try {
                return new PeerDiscovery.Settings(community, hostname, cfg.addresses(), List.of(), Map.of(), filter);
            } catch (IllegalArgumentException e) {
                if (cfg.hostname() != null) {
                    throw e;
                }
                // the system's name is no host name cunīcu accepts: announce none
                return new PeerDiscovery.Settings(community, "", cfg.addresses(), List.of(), Map.of(), filter);
            }
        } catch (IllegalArgumentException e) {
            throw new DaemonException("peer discovery on " + ifname + " (" + source + "): " + e.getMessage());
        }
    }

    /** The host name of our UTS namespace, or empty. */
    private static String systemHostname() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private List<PeerUpdate> peerUpdates(String ifname, InterfaceConfig cfg) {
        List<PeerUpdate> out = new ArrayList<>();
        for (PeerConfig p : cfg.peers().values()) {
            InetSocketAddress ep = p.endpoint() == null ? null
                    : Endpoints.resolve(p.endpoint(), "peers." + p.name() + ".endpoint of " + ifname + " in " + source);
            Duration ka = p.persistentKeepalive();
            out.add(new PeerUpdate(p.publicKey(), false, false, p.presharedKey(), ep,
                    ka == null ? null : (int) ka.toSeconds(), true, p.allowedIps()));
        }
        return out;
    }

    /** The agent settings of {@code ice}: its timings and candidate types, the rest as the ICE defaults. */
    static IceConfig iceConfig(IceSettings ice) {
        IceConfig d = IceConfig.defaults();
        Duration consent = d.consentInterval();
        Duration quarter = ice.disconnectedTimeout().dividedBy(4);
        if (consent.compareTo(quarter) > 0) {
            consent = quarter;
        }
        return d.toBuilder()
                .checkInterval(ice.checkInterval())
                .disconnectedTimeout(ice.disconnectedTimeout())
                .failedTimeout(ice.failedTimeout())
                .keepaliveInterval(ice.keepaliveInterval())
                .consentInterval(consent)
                .candidateTypes(ice.candidateTypes())
                .build();
    }
}
