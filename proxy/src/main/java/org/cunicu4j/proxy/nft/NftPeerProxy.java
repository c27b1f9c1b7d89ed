package org.cunicu4j.proxy.nft;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * One peer under {@link NftablesProxy}. On a direct pair its output rule is set to the
 * remote candidate (first, so WireGuard's first packet there already leaves from the ICE
 * port) and the WireGuard peer's endpoint is set to the remote candidate itself; on a relay
 * pair the peer's {@link RelayFallback} takes over (mode {@code user}, with
 * {@link RelayFallback#REASON}) and then the rule goes (a failure to remove it is logged: the
 * peer is served either way); a null pair removes the rule and leaves the endpoint. Once the
 * owner is closing, a direct pair changes nothing (no rule, no endpoint).
 *
 * <p>Owns the fallback (and through it the agent's data connection); borrows the owner and
 * the control. Thread-safe: {@link #selectedPairChanged} and {@link #close()} are
 * serialised, so nothing is installed once close has begun.
 */
final class NftPeerProxy implements PeerProxy {
    private static final System.Logger LOG = System.getLogger(NftPeerProxy.class.getName());

    private final NftablesProxy owner;
    private final WireGuardControl control;
    private final Key peer;
    private final RelayFallback fallback;
    private final Consumer<NftPeerProxy> onClose;
    private volatile boolean relay;
    private boolean closed;

    private NftPeerProxy(NftablesProxy owner, WireGuardControl control, Key peer, RelayFallback fallback,
            Consumer<NftPeerProxy> onClose) {
        this.owner = owner;
        this.control = control;
        this.peer = peer;
        this.fallback = fallback;
        this.onClose = onClose;
    }

    /** Opens the peer's relay fallback (its loopback socket in the calling thread's namespace). */
    static NftPeerProxy open(NftablesProxy owner, WireGuardControl control, int wgPort, Key peer, IceAgent agent,
            Consumer<NftPeerProxy> onClose) throws IOException {
        return new NftPeerProxy(owner, control, peer, RelayFallback.open(control, wgPort, peer, agent), onClose);
    }

    @Override
    public ProxyMode mode() {
        return relay ? ProxyMode.USER : ProxyMode.NFTABLES;
    }

    @Override
    public String reason() {
        return relay ? RelayFallback.REASON : NftablesProxy.REASON;
    }

    @Override
    public synchronized void selectedPairChanged(IceCandidatePair pair) throws IOException {
        if (closed) {
            return;
        }
        if (pair == null) {
            owner.removePair(peer);
            return;
        }
        if (RelayFallback.isRelay(pair)) {
            fallback.use(pair); // first: the peer is served even when the old rule cannot go
            relay = true;
            try {
                owner.removePair(peer);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the nft rule of peer {0} could not be removed for its relay pair"
                        + " (harmless: WireGuard sends to the loopback socket of the fallback now, which the rule does not match): {1}",
                        peer, e.getMessage());
            }
            return;
        }
        InetSocketAddress remote = pair.remote().address();
        if (!owner.setPair(peer, remote)) {
            return; // the owner is closing: no rule, so no endpoint that would need one
        }
        control.setEndpoint(peer, remote);
        relay = false;
    }

    /** WireGuard now listens on {@code port}: the fallback follows (the rules are the owner's). */
    void listenPortChanged(int port) {
        fallback.listenPortChanged(port);
    }

    @Override
    public ProxyStats stats() {
        return fallback.stats();
    }

    /** Removes the peer's rule, closes the fallback (and the agent's connection). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            owner.removePair(peer);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING,
                    "the nft rule of peer {0} could not be removed: {1}", peer, e.getMessage());
        }
        fallback.close();
        onClose.accept(this);
    }

    @Override
    public String toString() {
        return "NftPeerProxy[" + peer + (relay ? ", relay fallback" : "") + (closed ? ", closed" : "") + "]";
    }
}
