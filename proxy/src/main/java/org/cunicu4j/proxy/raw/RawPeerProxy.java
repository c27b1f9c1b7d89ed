package org.cunicu4j.proxy.raw;

import java.io.IOException;
import java.util.function.Consumer;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * One peer under {@link RawSocketProxy}: on a direct pair (host, server- or peer-reflexive
 * local candidate, all on WireGuard's own port) the WireGuard peer's endpoint is set to the
 * pair's remote candidate and the kernel carries the data; on a relay pair the
 * {@link RelayFallback} opened at attach copies the peer's packets in user space. A null
 * pair changes nothing (no per-pair state in this mode).
 *
 * <p>Owns the fallback (and through it the agent's data connection). Thread-safe:
 * {@link #selectedPairChanged} and {@link #close()} are serialised, so no endpoint is set
 * once close has begun.
 */
final class RawPeerProxy implements PeerProxy {
    private final WireGuardControl control;
    private final Key peer;
    private final RelayFallback fallback;
    private final Consumer<RawPeerProxy> onClose;
    private volatile boolean relay;
    private boolean closed;

    RawPeerProxy(WireGuardControl control, Key peer, RelayFallback fallback, Consumer<RawPeerProxy> onClose) {
        this.control = control;
        this.peer = peer;
        this.fallback = fallback;
        this.onClose = onClose;
    }

    @Override
    public ProxyMode mode() {
        return relay ? ProxyMode.USER : ProxyMode.RAW;
    }

    @Override
    public String reason() {
        return relay ? RelayFallback.REASON : RawSocketProxy.REASON;
    }

    @Override
    public synchronized void selectedPairChanged(IceCandidatePair pair) throws IOException {
        if (closed || pair == null) {
            return;
        }
        if (RelayFallback.isRelay(pair)) {
            fallback.use(pair);
            relay = true;
        } else {
            control.setEndpoint(peer, pair.remote().address());
            relay = false;
        }
    }

    void listenPortChanged(int port) {
        fallback.listenPortChanged(port);
    }

    /** The fallback's copies (zeros while the kernel carries a direct pair). */
    @Override
    public ProxyStats stats() {
        return fallback.stats();
    }

    /** Closes the fallback (and the agent's connection with it); leaves the WireGuard peer as it is. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        fallback.close();
        onClose.accept(this);
    }

    @Override
    public String toString() {
        return "RawPeerProxy[" + peer + (relay ? ", relay fallback" : "") + (closed ? ", closed" : "") + "]";
    }
}
