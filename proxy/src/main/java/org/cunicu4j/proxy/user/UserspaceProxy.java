package org.cunicu4j.proxy.user;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxies;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.IceSockets;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.SharedPortGatherers;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Port sharing for an external WireGuard device ({@link ProxyMode#USER}: wireguard-go or the
 * kernel, driven through its {@link WireGuardControl}): ICE runs on sockets of its own, one
 * {@link UdpMux} per address family on an ephemeral port shared by every peer's agent (host
 * candidates on it, server-reflexive ones learnt from it, relay ones on allocations of
 * their own: {@link SharedPortGatherers}). Per peer, {@link #attach} opens a loopback
 * socket, points the WireGuard peer's endpoint at it, and copies datagrams between it and
 * the agent's connection ({@link UserspacePeerProxy}).
 *
 * <p>Wiring: {@code UserspaceProxy.open(control, listenPort)} in the device's network
 * namespace (the sockets open there); per peer {@link #gatherers} → {@code IceAgent.create}
 * → {@link #attach} (also in that namespace). Closing: the peers' proxies and agents, then
 * this; the control client and the device stay the caller's.
 *
 * <p>Ownership: owns the muxes (and their sockets and reader threads); borrows the control.
 * Thread-safe: {@link #attach}, {@link #listenPortChanged} and {@link #close()} are
 * serialised where they meet (a peer attached while closing is closed, never left open).
 */
public final class UserspaceProxy implements ExternalPortSharing {
    private static final System.Logger LOG = System.getLogger(UserspaceProxy.class.getName());
    /** Why this mode serves an external device. */
    public static final String REASON = "external device: ICE on its own sockets, a loopback socket per peer copies to and from WireGuard";

    private final WireGuardControl control;
    private volatile int listenPort;
    private final List<UdpMux> muxes;
    private final PeerProxies<UserspacePeerProxy> peers;

    private UserspaceProxy(WireGuardControl control, int listenPort, List<UdpMux> muxes) {
        this.control = control;
        this.listenPort = listenPort;
        this.muxes = List.copyOf(muxes);
        this.peers = new PeerProxies<>("UserspaceProxy of " + control.name());
    }

    /**
     * Opens the ICE muxes (IPv4 on {@code 0.0.0.0}, IPv6 on {@code ::} with IPV6_V6ONLY, each
     * on an ephemeral port; a family the host lacks is skipped) in the calling thread's network
     * namespace.
     *
     * @param control the external device (borrowed)
     * @param listenPort the device's UDP listen port (where the loopback sockets send; later
     *     changes: {@link #listenPortChanged})
     * @throws IOException when neither family can be opened
     */
    public static UserspaceProxy open(WireGuardControl control, int listenPort) throws IOException {
        Objects.requireNonNull(control, "control");
        IceSockets.checkListenPort(control, listenPort);
        List<UdpMux> muxes = IceSockets.openWildcardMuxes("UserspaceProxy of " + control.name());
        return new UserspaceProxy(control, listenPort, muxes);
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.USER;
    }

    @Override
    public String reason() {
        return REASON;
    }

    /** The muxes' sockets' addresses (wildcard, ephemeral ports). */
    public List<InetSocketAddress> iceAddresses() {
        return muxes.stream().map(UdpMux::localAddress).toList();
    }

    @Override
    public List<Gatherer> gatherers(GatherSettings settings) {
        peers.requireOpen();
        return SharedPortGatherers.over(muxes, settings);
    }

    /**
     * Opens {@code peer}'s loopback socket (in the calling thread's namespace) and starts
     * the two copy loops; the WireGuard peer's endpoint is set to that socket when the agent
     * selects a pair. The proxy takes the agent's data connection: closing it closes it.
     *
     * @throws IOException when no loopback socket can be opened
     */
    @Override
    public PeerProxy attach(Key peer, IceAgent agent) throws IOException {
        peers.requireOpen();
        UserspacePeerProxy p = UserspacePeerProxy.open(control, listenPort, peer, agent.connection(), peers::remove);
        // under the peers' monitor, as listenPortChanged: either it sees p or p sees the new port
        return peers.add(p, peer, q -> q.listenPortChanged(listenPort));
    }

    /**
     * The device now listens on {@code port} (a restart, a {@code listen-port} change): every
     * peer's loopback socket sends there and accepts only what comes from there from now on.
     * Called by whoever watches the device (the daemon); any thread.
     *
     * @throws IllegalArgumentException when the port is not 1..65535
     */
    @Override
    public void listenPortChanged(int port) {
        IceSockets.checkListenPort(control, port);
        synchronized (peers) {
            listenPort = port;
            peers.forEach(p -> p.listenPortChanged(port));
        }
    }

    /** The device's listen port the peers' loopback sockets use. */
    @Override
    public int listenPort() {
        return listenPort;
    }

    /** Closes the peers' proxies still open and the muxes (every agent's conn on them). Idempotent. */
    @Override
    public void close() {
        if (!peers.close()) {
            return;
        }
        for (UdpMux m : muxes) {
            m.close();
        }
    }

    @Override
    public String toString() {
        return "UserspaceProxy[" + control.name() + " port " + listenPort + ", ICE on " + iceAddresses() + "]";
    }
}
