package org.cunicu4j.proxy.user;

import java.io.IOException;
import java.util.Objects;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * The user-space path a kernel mode (raw, nftables, iptables) falls back to for one peer
 * while its selected pair's local candidate is a relay: the kernel cannot reach a TURN
 * allocation, so a loopback socket copies between WireGuard and the agent's connection, as
 * {@link UserspaceProxy} does for every peer.
 *
 * <p>Use: open it at attach time (its copy loops read the agent's connection from then on;
 * on a direct pair nothing arrives there, as the kernel carries the data); on every
 * selected pair that {@link #isRelay}, call {@link #use}; on a direct pair point the WireGuard
 * peer elsewhere yourself. Close it with the peer's proxy: it closes the agent's connection
 * (only closing wakes its reader). Thread-safe.
 */
public final class RelayFallback implements AutoCloseable {
    /** Why a relay pair is served by the user-space proxy; shown in status. */
    public static final String REASON = "relay pair: the kernel cannot reach a TURN allocation, so the user-space proxy copies this peer's packets";

    private final UserspacePeerProxy proxy;

    private RelayFallback(UserspacePeerProxy proxy) {
        this.proxy = proxy;
    }

    /** Whether {@code pair} (may be null) has a relay as its local candidate. */
    public static boolean isRelay(IceCandidatePair pair) {
        return pair != null && pair.local().type() == CandidateType.RELAY;
    }

    /**
     * Opens the loopback socket in the calling thread's namespace and starts the copy loops
     * on {@code agent}'s connection.
     *
     * @param wgPort the device's UDP listen port (re-read from {@code control} on every {@link #use})
     * @throws IOException when no loopback socket can be opened
     */
    public static RelayFallback open(WireGuardControl control, int wgPort, Key peer, IceAgent agent) throws IOException {
        Objects.requireNonNull(agent, "agent");
        return new RelayFallback(UserspacePeerProxy.open(control, wgPort, peer, agent.connection(), p -> { }));
    }

    /** Points the WireGuard peer at the loopback socket for relay pair {@code pair}. */
    public void use(IceCandidatePair pair) throws IOException {
        if (!isRelay(pair)) {
            throw new IllegalArgumentException("not a relay pair: " + pair);
        }
        proxy.selectedPairChanged(pair);
    }

    /** WireGuard now listens on {@code port}; ignored outside 1..65535. */
    public void listenPortChanged(int port) {
        proxy.listenPortChanged(port);
    }

    /** What the copy loops carried and dropped. */
    public ProxyStats stats() {
        return proxy.stats();
    }

    /** Stops the loops and closes the agent's connection; idempotent. */
    @Override
    public void close() {
        proxy.close();
    }

    @Override
    public String toString() {
        return "RelayFallback[" + proxy + "]";
    }
}
