package org.cunicu4j.proxy.bind;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.Endpoint;
import org.cunicu4j.wireguard.device.Device;

/**
 * One peer under {@link BindProxy}: a direct pair (local host, server- or peer-reflexive)
 * sets the WireGuard peer's endpoint to the remote candidate, a {@link ProxyBind} UDP
 * endpoint, so data leaves on WireGuard's own socket straight to it; a relay pair sets it
 * to the peer's {@link RelayEndpoint} over the agent's connection (made at the first relay
 * pair and kept until {@link #close()}: while a direct pair is selected nothing arrives on
 * it). A null pair leaves the endpoint as it is (WireGuard keeps trying the last one).
 *
 * <p>Thread-safe (synchronised); owns the relayed endpoint, which owns the agent's
 * connection.
 */
final class BindPeerProxy implements PeerProxy {
    private final Device device;
    private final ProxyBind bind;
    private final Key peer;
    private final IceAgent agent;
    private final Consumer<BindPeerProxy> onClose;
    private RelayEndpoint relay; // guarded by this
    private boolean relayed; // guarded by this
    private Endpoint endpoint; // guarded by this: the last one set on the device
    private boolean closed; // guarded by this

    BindPeerProxy(Device device, ProxyBind bind, Key peer, IceAgent agent, Consumer<BindPeerProxy> onClose) {
        this.device = device;
        this.bind = bind;
        this.peer = peer;
        this.agent = agent;
        this.onClose = onClose;
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.BIND;
    }

    @Override
    public synchronized String reason() {
        return relayed ? BindProxy.RELAY_REASON : BindProxy.REASON;
    }

    @Override
    public synchronized void selectedPairChanged(IceCandidatePair pair) throws IOException {
        if (closed || pair == null) {
            return;
        }
        Endpoint ep;
        boolean viaRelay = pair.local().type() == CandidateType.RELAY;
        if (viaRelay) {
            if (relay == null) {
                relay = bind.relay(agent.connection(), agent.connection()::remoteAddress);
            }
            ep = relay;
        } else {
            String text = endpointText(pair.remote().address());
            try {
                ep = bind.parseEndpoint(text);
            } catch (IllegalArgumentException e) {
                throw new IOException("peer " + peer + " of " + device.name() + ": the remote candidate " + text
                        + " is no WireGuard endpoint: " + e.getMessage(), e);
            }
        }
        try {
            device.setEndpoint(peer, ep);
        } catch (IllegalArgumentException e) {
            throw new IOException("setting the endpoint of peer " + peer + " on " + device.name() + " to " + ep
                    + " failed: " + e.getMessage(), e);
        }
        relayed = viaRelay;
        endpoint = ep;
    }

    /** The endpoint last set on the device for the peer (null before the first pair; tests). */
    synchronized Endpoint endpoint() {
        return endpoint;
    }

    /** {@code a.b.c.d:port} or {@code [v6]:port} (without a scope), as {@code Bind.parseEndpoint} reads it. */
    static String endpointText(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        if (a.getAddress() instanceof Inet6Address) {
            int pct = host.indexOf('%');
            host = "[" + (pct >= 0 ? host.substring(0, pct) : host) + "]";
        }
        return host + ":" + a.getPort();
    }

    /** The relayed endpoint's counts (zeros while no relay pair was ever selected: direct data is WireGuard's own). */
    @Override
    public synchronized ProxyStats stats() {
        return relay == null ? ProxyStats.ZERO : relay.stats();
    }

    /** Closes the relayed endpoint (and with it the agent's connection); the WireGuard peer stays. */
    @Override
    public void close() {
        RelayEndpoint r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            r = relay;
        }
        if (r != null) {
            r.close();
        }
        onClose.accept(this);
    }

    @Override
    public synchronized String toString() {
        return "BindPeerProxy[" + peer + (relayed ? ", relayed" : "") + (closed ? ", closed" : "") + "]";
    }
}
