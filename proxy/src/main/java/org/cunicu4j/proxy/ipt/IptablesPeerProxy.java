package org.cunicu4j.proxy.ipt;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * One peer under {@link IptablesProxy}. On a direct pair: its SNAT rule towards the remote
 * candidate (replacing the one it had), then the WireGuard peer's endpoint set to that
 * candidate; the kernel carries the data. On a relay pair: no rule, and the
 * {@link RelayFallback} copies in user space ({@link #mode()} is then {@link ProxyMode#USER}).
 * A null pair removes the rule and leaves the endpoint as it is.
 *
 * <p>Owns the fallback (and through it the agent's connection). Thread-safe:
 * {@link #selectedPairChanged} and {@link #close()} are serialised, so no rule is added and
 * no endpoint set once close has begun.
 */
final class IptablesPeerProxy implements PeerProxy {
    private final IptablesProxy owner;
    private final WireGuardControl control;
    private final Key peer;
    private final RelayFallback fallback;
    private final String tag;
    private volatile boolean relay;
    private volatile InetSocketAddress remote;
    private boolean closed;

    IptablesPeerProxy(IptablesProxy owner, WireGuardControl control, Key peer, RelayFallback fallback) {
        this.owner = owner;
        this.control = control;
        this.peer = peer;
        this.fallback = fallback;
        this.tag = peer.toBase64().substring(0, 8);
    }

    /** The peer's tag in its rule's comment (the first 8 characters of its public key). */
    String tag() {
        return tag;
    }

    /** The remote candidate of the direct pair in force, or null. */
    InetSocketAddress remote() {
        return remote;
    }

    @Override
    public ProxyMode mode() {
        return relay ? ProxyMode.USER : ProxyMode.IPTABLES;
    }

    @Override
    public String reason() {
        return relay ? RelayFallback.REASON : owner.reason();
    }

    @Override
    public synchronized void selectedPairChanged(IceCandidatePair pair) throws IOException {
        if (closed) {
            return;
        }
        if (pair == null) {
            remote = null;
            owner.removePair(this);
            return;
        }
        if (RelayFallback.isRelay(pair)) {
            remote = null;
            owner.removePair(this);
            fallback.use(pair);
            relay = true;
            return;
        }
        InetSocketAddress to = pair.remote().address();
        if (!owner.setPair(this, to)) {
            return; // the owner is closing: its rules are going, the endpoint stays as it is
        }
        control.setEndpoint(peer, to);
        remote = to;
        relay = false;
    }

    /** WireGuard now listens on {@code port} (the rules follow through the owner). Not synchronised: called under the owner's peers' monitor. */
    void listenPortChanged(int port) {
        fallback.listenPortChanged(port);
    }

    @Override
    public ProxyStats stats() {
        return fallback.stats();
    }

    /** Removes the rule, closes the fallback (and the agent's connection); leaves the WireGuard peer as it is. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            owner.removePair(this);
        } catch (IOException e) {
            System.getLogger(IptablesPeerProxy.class.getName()).log(System.Logger.Level.WARNING,
                    "iptables rule of peer {0} not removed: {1}", peer, e.getMessage());
        }
        fallback.close();
        owner.closed(this);
    }

    @Override
    public String toString() {
        return "IptablesPeerProxy[" + peer + (relay ? " relay" : remote != null ? " to " + remote : "") + (closed ? ", closed" : "") + "]";
    }
}
