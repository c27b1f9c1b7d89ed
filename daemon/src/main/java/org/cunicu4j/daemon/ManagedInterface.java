package org.cunicu4j.daemon;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.cunicu4j.daemon.autocfg.AutoConfig;
import org.cunicu4j.daemon.config.InterfaceConfig;
import org.cunicu4j.daemon.pdisc.PeerDiscovery;
import org.cunicu4j.daemon.config.PeerConfig;
import org.cunicu4j.daemon.epdisc.EndpointDiscovery;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.uapi.UapiServer;

/**
 * One WireGuard interface the daemon manages: how it reaches the device (our own
 * {@link Device} with its UAPI server, or a control client of an adopted device), the port
 * sharing, the endpoint discovery of its peers, peer discovery by community (when on) and
 * the lock that marks it as ours.
 *
 * <p>Owned by the {@link Daemon}; its mutable state (the last seen peers) is touched only on
 * the daemon's thread. {@link #close()} releases everything; a device we created is closed
 * (its interface disappears), an adopted one is left running.
 */
final class ManagedInterface implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ManagedInterface.class.getName());

    /** {@code InterfaceStatus.device} of our own device. */
    static final String OURS = "cunicu4j";
    /** {@code InterfaceStatus.device} of an adopted UAPI device (wireguard-go, ...). */
    static final String UAPI = "userspace (uapi)";
    /** {@code InterfaceStatus.device} of an adopted kernel device. */
    static final String KERNEL = "kernel";

    final String name;
    final String kind;
    final InterfaceConfig config;
    final WireGuardControl control;
    final Device device;
    final UapiServer uapi;
    final PortSharing sharing;
    final EndpointDiscovery epdisc;
    final InterfaceLock lock;
    final Key publicKey;
    /** The interface's auto-configuration: derived addresses for peers the watcher sees added. */
    final AutoConfig autocfg;
    /** Peer discovery by community, or null when off (no community or discover_peers false). */
    final PeerDiscovery pdisc;
    /** The members peer discovery added (their names), or null when it is off. */
    final DiscoveredPeers discovered;
    /** Peers seen in the last watcher pass (daemon thread only). */
    final Set<Key> peers = new HashSet<>();

    ManagedInterface(String name, String kind, InterfaceConfig config, WireGuardControl control, Device device,
            UapiServer uapi, PortSharing sharing, EndpointDiscovery epdisc, InterfaceLock lock, Key publicKey,
            AutoConfig autocfg, PeerDiscovery pdisc, DiscoveredPeers discovered) {
        this.pdisc = pdisc;
        this.discovered = discovered;
        this.name = name;
        this.kind = kind;
        this.config = config;
        this.control = control;
        this.device = device;
        this.uapi = uapi;
        this.sharing = sharing;
        this.epdisc = epdisc;
        this.lock = lock;
        this.publicKey = publicKey;
        this.autocfg = autocfg;
    }

    /** Whether we created the device (and remove it on close). */
    boolean ours() {
        return device != null;
    }

    /** The configured name of peer {@code key}, else the name it advertised to peer discovery, or null. */
    String peerName(Key key) {
        for (Map.Entry<String, PeerConfig> e : config.peers().entrySet()) {
            if (e.getValue().publicKey().equals(key)) {
                return e.getKey();
            }
        }
        return discovered == null ? null : discovered.name(key);
    }

    @Override
    public void close() {
        // peer discovery first: its REMOVE goes out while the backends and the device are still up
        if (discovered != null) {
            discovered.stop();
        }
        closeQuietly(pdisc, "peer discovery");
        closeQuietly(epdisc, "endpoint discovery");
        closeQuietly(sharing, "port sharing");
        closeQuietly(uapi, "UAPI server");
        if (device != null) {
            closeQuietly(device, "device");
        } else {
            closeQuietly(control, "control client");
        }
        lock.close();
    }

    private void closeQuietly(AutoCloseable c, String what) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing the {0} of {1}: {2}", what, name, e.toString());
        }
    }

    @Override
    public String toString() {
        return "ManagedInterface[" + name + ", " + kind + ", proxy " + sharing.mode().configName() + "]";
    }
}
