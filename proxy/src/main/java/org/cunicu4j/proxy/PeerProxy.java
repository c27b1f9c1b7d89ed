package org.cunicu4j.proxy;

import java.io.IOException;
import org.cunicu4j.ice.IceCandidatePair;

/**
 * One peer's link between its ICE agent and its WireGuard peer, made by
 * {@link PortSharing#attach}: when the agent selects a pair, the WireGuard peer's endpoint
 * is pointed at that path (the remote candidate itself, a relayed endpoint inside our Bind,
 * or a loopback socket of ours that copies to and from the agent's connection).
 *
 * <p>Thread-safe; {@link #selectedPairChanged} is called one at a time, in order.
 */
public interface PeerProxy extends AutoCloseable {

    /** The mode serving the current pair (a relay pair may fall back to another mode than the interface's). */
    ProxyMode mode();

    /** Why {@link #mode()} serves this peer (the interface's reason, or the fallback's). */
    String reason();

    /**
     * The agent selected {@code pair} (null: no pair any more, after a restart or failure).
     *
     * @throws IOException when the WireGuard endpoint could not be set (named)
     */
    void selectedPairChanged(IceCandidatePair pair) throws IOException;

    /** Datagrams and bytes this proxy copied or dropped (zeros for modes that copy nothing). */
    ProxyStats stats();

    /**
     * Stops copying and releases per-peer resources; leaves the WireGuard peer as it is;
     * idempotent. A proxy that reads the agent's data connection ({@code IceAgent.connection()})
     * closes it here (only closing wakes its reader): attach once per agent, and close the
     * proxy together with the agent.
     */
    @Override
    void close();
}
