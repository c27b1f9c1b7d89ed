package org.cunicu4j.proxy.bind;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.ice.mux.UdpMuxStats;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxies;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.SharedPortGatherers;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.device.Device;

/**
 * Port sharing for our own device ({@link ProxyMode#BIND}): ICE runs on WireGuard's own
 * port. The device is opened over a {@link ProxyBind}; per address family a fed
 * {@link UdpMux} (with server-reflexive discovery) sits on the Bind's
 * {@linkplain ProxyBind#sharedConn shared conn}, fed by a pump thread that reads what the
 * Bind did not take as WireGuard and calls {@link UdpMux#dispatch}. Each peer's agent gets
 * host candidates on those muxes (so on the WireGuard port), server-reflexive ones learnt
 * from the same sockets and relay ones on TURN allocations of its own
 * ({@link SharedPortGatherers}). {@link #attach} returns a proxy that points the WireGuard
 * peer straight at the remote candidate of a direct pair, or at a {@link RelayEndpoint}
 * for a relay pair.
 *
 * <p>Wiring: {@code ProxyBind bind = new ProxyBind(); Device device = Device.open(tun, bind,
 * options); BindProxy proxy = BindProxy.open(device, bind);} ... then, per peer,
 * {@link #gatherers} → {@code IceAgent.create} → {@link #attach}. {@code agent.gather()}
 * must run in the device's network namespace: the host and server-reflexive candidates
 * are on the Bind's sockets (already there), but the relay gatherer opens the TURN
 * sockets of its allocations when it gathers, in the calling thread's namespace. Closing:
 * the peers' proxies and agents first, then this, then the device (which closes the Bind).
 *
 * <p>Ownership: borrows the device and the Bind; owns the muxes, the pumps and the Bind's
 * shared conns (closed for good by {@link #close()}: one BindProxy per Bind). Threading:
 * thread-safe; two platform pump threads started by {@link #open} (from the calling
 * thread: no sockets are opened there, so any namespace does). A pump never stops on bad
 * input: the mux counts what it cannot route ({@link #muxStats}), the pump its own errors.
 * {@link #attach} and {@link #close()} are serialised where they meet: a peer attached
 * while closing is closed, never left open.
 */
public final class BindProxy implements PortSharing {
    private static final System.Logger LOG = System.getLogger(BindProxy.class.getName());
    /** Why this mode serves our own device. */
    public static final String REASON = "our own device: ICE shares WireGuard's sockets through the Bind";
    /** Why a relay pair is served as it is. */
    public static final String RELAY_REASON = "relay pair: through the TURN allocation inside the Bind";
    private static final int PUMP_BATCH = 32;
    private static final int PUMP_SLOT = 2048;

    private final Device device;
    private final ProxyBind bind;
    private final UdpMux mux4;
    private final UdpMux mux6;
    private final List<Thread> pumps = new ArrayList<>(2);
    private final PeerProxies<BindPeerProxy> peers;
    private final LongAdder pumpErrors = new LongAdder();

    private BindProxy(Device device, ProxyBind bind) {
        this.device = device;
        this.bind = bind;
        this.peers = new PeerProxies<>("BindProxy of " + device.name());
        this.mux4 = UdpMux.builder(bind.sharedConn(StandardProtocolFamily.INET)).ownsConn(false).serverReflexive().fed();
        this.mux6 = UdpMux.builder(bind.sharedConn(StandardProtocolFamily.INET6)).ownsConn(false).serverReflexive().fed();
    }

    /**
     * Shares the ports of {@code device}, which must have been opened over {@code bind}
     * ({@code Device.open(tun, bind, options)}); starts the pumps.
     *
     * @throws IllegalStateException when the Bind is not open
     */
    public static BindProxy open(Device device, ProxyBind bind) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(bind, "bind");
        if (bind.port() == 0) {
            throw new IllegalStateException("the ProxyBind of " + device.name() + " is not open: make the device with Device.open(tun, bind, options) first");
        }
        BindProxy p = new BindProxy(device, bind);
        p.startPump(StandardProtocolFamily.INET, p.mux4);
        p.startPump(StandardProtocolFamily.INET6, p.mux6);
        return p;
    }

    private void startPump(StandardProtocolFamily family, UdpMux mux) {
        PacketConn conn = bind.sharedConn(family);
        String name = "bindproxy-pump " + (family == StandardProtocolFamily.INET ? "v4 " : "v6 ") + device.name();
        Thread t = Thread.ofPlatform().daemon().name(name).unstarted(() -> pump(conn, mux));
        pumps.add(t);
        t.start();
    }

    private void pump(PacketConn conn, UdpMux mux) {
        PacketBatch batch = new PacketBatch(PUMP_BATCH, PUMP_SLOT);
        while (!peers.closed()) {
            int n;
            try {
                n = conn.receive(batch);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                pumpErrors.increment();
                LOG.log(System.Logger.Level.DEBUG, "BindProxy pump of {0}: {1}", device.name(), e);
                continue;
            }
            for (int i = 0; i < n; i++) {
                mux.dispatch(batch, i); // never throws: counted in the mux's stats
            }
        }
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.BIND;
    }

    @Override
    public String reason() {
        return REASON;
    }

    /** Host (on the WireGuard port), server-reflexive and relay gatherers as the settings say; the agent owns them. */
    @Override
    public List<Gatherer> gatherers(GatherSettings settings) {
        peers.requireOpen();
        List<UdpMux> muxes = new ArrayList<>(2);
        if (settings.ipv4()) {
            muxes.add(mux4);
        }
        if (settings.ipv6()) {
            muxes.add(mux6);
        }
        return SharedPortGatherers.over(muxes, settings);
    }

    /**
     * A proxy that sets {@code peer}'s endpoint on the device whenever {@code agent} selects a
     * pair. The proxy takes the agent's data connection: closing it closes the connection
     * (data only; the agent goes on).
     */
    @Override
    public PeerProxy attach(Key peer, IceAgent agent) {
        peers.requireOpen();
        return peers.add(new BindPeerProxy(device, bind, peer, agent, peers::remove), peer, p -> {});
    }

    /** The mux of {@code family} (counters, tests). */
    public UdpMux mux(StandardProtocolFamily family) {
        return family == StandardProtocolFamily.INET ? mux4 : mux6;
    }

    /** The counters of the mux of {@code family}: what the pump handed on and what could not be routed. */
    public UdpMuxStats muxStats(StandardProtocolFamily family) {
        return mux(family).stats();
    }

    /** Errors the pumps met reading the shared conns (counted, never ending a pump). */
    public long pumpErrors() {
        return pumpErrors.sum();
    }

    /** True while both pumps run. */
    public boolean pumping() {
        return !peers.closed() && pumps.stream().allMatch(Thread::isAlive);
    }

    /**
     * Closes the peers' proxies still open, the muxes (every agent's conn on them) and the
     * shared conns (ending the pumps); leaves the device and its Bind. Idempotent.
     */
    @Override
    public void close() {
        if (!peers.close()) {
            return;
        }
        mux4.close();
        mux6.close();
        bind.sharedConn(StandardProtocolFamily.INET).close();
        bind.sharedConn(StandardProtocolFamily.INET6).close();
        for (Thread t : pumps) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "BindProxy[" + device.name() + " port " + bind.port() + ", " + peers.size() + " peers" + (peers.closed() ? ", closed" : "") + "]";
    }
}
