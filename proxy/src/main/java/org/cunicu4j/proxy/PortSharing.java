package org.cunicu4j.proxy;

import java.io.IOException;
import java.util.List;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.wireguard.Key;

/**
 * How one WireGuard interface and the ICE agents of its peers share UDP ports: one of the
 * five modes. Made by the daemon per interface (BindProxy for our own device, UserspaceProxy
 * for an external one in issue 7; the kernel modes and automatic selection in issue 8); owns
 * what the mode shares across peers (muxes over the WireGuard sockets, rules, raw sockets).
 *
 * <p>Use: for each peer session, {@link #gatherers} for its agent (the agent owns them), then
 * {@link #attach} once for the agent; the returned {@link PeerProxy} follows the agent's
 * selected pair until it is closed. Thread-safe.
 */
public interface PortSharing extends AutoCloseable {

    /** The mode of this interface. */
    ProxyMode mode();

    /** Why this mode was chosen (forced by the configuration, or the selection's reasoning); shown in status. */
    String reason();

    /**
     * The gatherers for a new ICE agent of one peer (host candidates on the ports this mode
     * shares, server-reflexive and relay ones as {@code settings} asks). Owned by the agent:
     * closing them must not close what this object shares across peers.
     */
    List<Gatherer> gatherers(GatherSettings settings) throws IOException;

    /**
     * Connects WireGuard peer {@code peer} to {@code agent}'s selected pair from now on: the
     * session forwards each {@code selectedPairChanged} to the returned proxy.
     *
     * @throws IOException when the WireGuard side cannot be set up (named)
     */
    PeerProxy attach(Key peer, IceAgent agent) throws IOException;

    /** Releases what is shared (not the WireGuard device); idempotent. */
    @Override
    void close();
}
