package org.cunicu4j.proxy.nft;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.linux.Capabilities;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.nft.Libnftables;
import org.cunicu4j.linux.nft.NftException;
import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.IceSockets;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxies;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.proxy.SharedPortGatherers;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Port sharing for an external WireGuard device by nftables port rewriting
 * ({@link ProxyMode#NFTABLES}): ICE runs on sockets of its own, one {@link UdpMux} per
 * address family on an ephemeral port (the ICE port) shared by every peer's agent, as in
 * {@code UserspaceProxy}; table {@code inet cunicu4j-<ifname>} ({@link #tableName}) sends
 * what arrives at an ICE port and is not STUN on to WireGuard's listen port, and, per peer
 * with a direct pair, rewrites the source port of WireGuard's packets to that remote from
 * the listen port to the ICE port ({@link NftRuleset}). The data path stays in the kernel;
 * the daemon sees only STUN. A relay pair falls back to the user-space path of its peer
 * ({@code RelayFallback}).
 *
 * <p>Rules are installed through libnftables' JSON API ({@link Libnftables}): at
 * {@link #open} the whole table is replaced (a crashed run's stale table goes, no
 * duplicates), on every change of a peer's pair or of the listen port the table's rules
 * are flushed and written again in one transaction, at {@link #close()} the table is deleted.
 * All nft calls run on one platform thread of this object, started in the namespace of
 * {@link #open}'s caller: whichever thread (an agent's, the daemon watcher's, a virtual one)
 * reports a change, the rules land in the device's namespace.
 *
 * <p>Finding the rules from outside: {@code nft -j list table inet cunicu4j-<ifname>};
 * every rule has a comment starting with {@code cunicu4j} (per-peer rules:
 * {@code cunicu4j peer <first 8 chars of the key>}).
 *
 * <p>Ownership: owns the muxes, the table and the nft thread; borrows the control.
 * Thread-safe: rule changes are serialised; {@link #attach}, {@link #listenPortChanged} and
 * {@link #close()} are serialised where they meet, as in {@code UserspaceProxy}.
 */
public final class NftablesProxy implements ExternalPortSharing {
    private static final System.Logger LOG = System.getLogger(NftablesProxy.class.getName());
    /** Why this mode serves an external device. */
    public static final String REASON = "external device: nftables rewrites WireGuard's port to the ICE port and back in the kernel; ICE sees only STUN";

    /** The longest wait for one nft transaction (they take milliseconds; a hang is a failure). */
    private static final Duration NFT_WAIT = Duration.ofSeconds(10);

    private final WireGuardControl control;
    private final Libnftables nft;
    private final String table;
    private final List<UdpMux> muxes;
    private final int icePort4;
    private final int icePort6;
    private final ThreadPoolExecutor worker;
    private final PeerProxies<NftPeerProxy> peers;
    private volatile int listenPort;
    /** The peers' direct pairs; guarded by {@code this}. */
    private final Map<Key, InetSocketAddress> pairs = new LinkedHashMap<>();
    /** Set once close() begins: rules are no longer rewritten, the table goes. Guarded by {@code this}. */
    private boolean removing;

    private NftablesProxy(WireGuardControl control, int listenPort, Libnftables nft, List<UdpMux> muxes, ThreadPoolExecutor worker) {
        this.control = control;
        this.listenPort = listenPort;
        this.nft = nft;
        this.table = tableName(control.name());
        this.muxes = List.copyOf(muxes);
        int p4 = 0;
        int p6 = 0;
        for (UdpMux m : muxes) {
            if (m.localAddress().getAddress() instanceof Inet4Address) {
                p4 = m.localAddress().getPort();
            } else {
                p6 = m.localAddress().getPort();
            }
        }
        this.icePort4 = p4;
        this.icePort6 = p6;
        this.worker = worker;
        this.peers = new PeerProxies<>("NftablesProxy of " + control.name());
    }

    /** The nftables table of interface {@code ifname}: {@code cunicu4j-<ifname>} (family {@code inet}). */
    public static String tableName(String ifname) {
        return NftRuleset.tableName(ifname);
    }

    /** As {@link #open(WireGuardControl, int, String)} with {@link Libnftables#DEFAULT_LIBRARY}. */
    public static NftablesProxy open(WireGuardControl control, int listenPort) throws IOException {
        return open(control, listenPort, Libnftables.DEFAULT_LIBRARY);
    }

    /**
     * Loads {@code library}, opens the ICE muxes (IPv4 on {@code 0.0.0.0}, IPv6 on {@code ::}
     * with IPV6_V6ONLY, ephemeral ports; a family the host lacks is skipped) and installs the
     * table, replacing a stale one, all in the calling thread's network namespace.
     *
     * @param control the external device (borrowed)
     * @param listenPort the device's UDP listen port (later changes: {@link #listenPortChanged})
     * @param library libnftables' soname or path
     * @throws ProxyUnavailableException when the library is missing, CAP_NET_ADMIN lacks, or nft
     *     refuses the table (nothing is left installed)
     * @throws IOException when no ICE socket can be opened
     */
    public static NftablesProxy open(WireGuardControl control, int listenPort, String library) throws IOException {
        Objects.requireNonNull(control, "control");
        IceSockets.checkListenPort(control, listenPort);
        Libnftables nft;
        try {
            nft = Libnftables.load(library);
        } catch (FileNotFoundException e) {
            throw new ProxyUnavailableException(ProxyMode.NFTABLES, e.getMessage(), e);
        }
        try {
            if (!Capabilities.has(Capabilities.CAP_NET_ADMIN)) {
                throw new ProxyUnavailableException(ProxyMode.NFTABLES,
                        "CAP_NET_ADMIN is lacking (nftables rules need it; run as root or grant the capability)");
            }
        } catch (LinuxException e) {
            throw new ProxyUnavailableException(ProxyMode.NFTABLES, "the capabilities could not be read: " + e.getMessage(), e);
        }
        List<UdpMux> muxes = IceSockets.openWildcardMuxes("NftablesProxy of " + control.name());
        ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().name("nft " + control.name()).unstarted(r));
        worker.prestartCoreThread(); // now, from this thread: it inherits the device's namespace
        NftablesProxy p = new NftablesProxy(control, listenPort, nft, muxes, worker);
        try {
            synchronized (p) {
                p.apply(true);
            }
        } catch (NftException e) {
            p.removeQuietly();
            p.releaseLocal();
            throw new ProxyUnavailableException(ProxyMode.NFTABLES, "nft refused the rules of table inet " + p.table + ": "
                    + (e.nftError().isEmpty() ? e.getMessage() : e.nftError().lines().findFirst().orElse("")), e);
        } catch (IOException | RuntimeException e) {
            p.removeQuietly();
            p.releaseLocal();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "{0}: table inet {1}, ICE ports {2}/{3}, WireGuard port {4}",
                control.name(), p.table, Integer.toString(p.icePort4), Integer.toString(p.icePort6), Integer.toString(listenPort));
        return p;
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.NFTABLES;
    }

    @Override
    public String reason() {
        return REASON;
    }

    /** This interface's table ({@code inet} family). */
    public String table() {
        return table;
    }

    /** The muxes' sockets' addresses (wildcard, ephemeral ports: the ICE ports). */
    public List<InetSocketAddress> iceAddresses() {
        return muxes.stream().map(UdpMux::localAddress).toList();
    }

    @Override
    public List<Gatherer> gatherers(GatherSettings settings) {
        peers.requireOpen();
        return SharedPortGatherers.over(muxes, settings);
    }

    /**
     * Opens {@code peer}'s relay fallback (a loopback socket, in the calling thread's
     * namespace, reading the agent's connection); the peer's rule and endpoint follow the
     * agent's selected pair. The proxy takes the agent's data connection: closing it closes it.
     *
     * @throws IOException when the fallback's loopback socket cannot be opened
     */
    @Override
    public PeerProxy attach(Key peer, IceAgent agent) throws IOException {
        peers.requireOpen();
        NftPeerProxy p = NftPeerProxy.open(this, control, listenPort, peer, agent, peers::remove);
        return peers.add(p, peer, q -> q.listenPortChanged(listenPort));
    }

    /**
     * The device now listens on {@code port}: the input rules send there and the output rules
     * match it from now on (one transaction), and the relay fallbacks follow. Any thread.
     *
     * @throws IllegalArgumentException when the port is not 1..65535
     * @throws UncheckedIOException when nft refused the rewritten rules (named)
     */
    @Override
    public void listenPortChanged(int port) {
        IceSockets.checkListenPort(control, port);
        synchronized (peers) {
            listenPort = port;
            peers.forEach(p -> p.listenPortChanged(port));
        }
        synchronized (this) {
            if (removing) {
                return;
            }
            try {
                apply(false);
            } catch (IOException e) {
                throw new UncheckedIOException(control.name() + ": the rules of table inet " + table
                        + " could not follow listen port " + port, e);
            }
        }
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    /**
     * {@code peer}'s direct pair now goes to {@code remote}: its output rule is replaced (all
     * rules in one transaction). On failure the previous rule stays (and the state says so).
     *
     * @return true when the rule is in place, false when this proxy is closing (no rule is
     *     written; the caller must not point WireGuard at {@code remote} either)
     */
    synchronized boolean setPair(Key peer, InetSocketAddress remote) throws IOException {
        if (removing) {
            return false;
        }
        InetSocketAddress before = pairs.put(peer, remote);
        if (remote.equals(before)) {
            return true;
        }
        try {
            apply(false);
        } catch (IOException | RuntimeException e) {
            if (before == null) {
                pairs.remove(peer);
            } else {
                pairs.put(peer, before);
            }
            throw e;
        }
        return true;
    }

    /**
     * {@code peer} has no direct pair any more: its output rule goes (if it had one). On
     * failure the rule stays (nft applies a transaction whole or not at all) and so does the
     * state: {@link #pairOf} still names it, and later transactions write it again until a
     * removal succeeds.
     */
    synchronized void removePair(Key peer) throws IOException {
        if (removing) {
            return;
        }
        InetSocketAddress before = pairs.remove(peer);
        if (before == null) {
            return;
        }
        try {
            apply(false);
        } catch (IOException | RuntimeException e) {
            pairs.put(peer, before);
            throw e;
        }
    }

    /** The remote of {@code peer}'s output rule, or null. */
    synchronized InetSocketAddress pairOf(Key peer) {
        return pairs.get(peer);
    }

    /** Writes the table from the state (caller holds {@code this}). */
    private void apply(boolean purge) throws IOException {
        List<NftRuleset.Pair> ps = new ArrayList<>(pairs.size());
        for (Map.Entry<Key, InetSocketAddress> e : pairs.entrySet()) {
            ps.add(new NftRuleset.Pair("peer " + e.getKey().toBase64().substring(0, 8), e.getValue()));
        }
        run(NftRuleset.install(table, purge, listenPort, icePort4, icePort6, ps));
    }

    /**
     * Runs {@code commands} on the nft thread and waits for them, uninterruptibly (a
     * transaction takes milliseconds; giving up early would leave the state and the kernel
     * apart), for at most {@link #NFT_WAIT}; an interrupt that came meanwhile is set again
     * on return.
     */
    private void run(String commands) throws IOException {
        Future<String> done;
        try {
            done = worker.submit(() -> nft.run(commands));
        } catch (RejectedExecutionException e) {
            throw new IOException("NftablesProxy of " + control.name() + " is closed", e);
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + NFT_WAIT.toNanos();
        try {
            while (true) {
                try {
                    done.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    done.cancel(false); // not yet begun: never runs; running: nft's thread cannot be stopped
                    throw new IOException("nft did not finish within " + NFT_WAIT.toSeconds() + " s on table inet " + table
                            + "; its rules may differ from " + control.name() + "'s state until the next change", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException("nft " + control.name() + " failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Closes the peers' proxies still open (their fallbacks), deletes the table, stops the nft
     * thread and closes the muxes. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (removing) {
                return;
            }
            removing = true;
            pairs.clear();
        }
        peers.close();
        removeQuietly();
        releaseLocal();
    }

    /** Deletes the table if it is there (a stale one after a failed open too); logs a failure. */
    private void removeQuietly() {
        try {
            run(NftRuleset.remove(table));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: table inet {1} could not be deleted: {2}", control.name(), table, e.getMessage());
        }
    }

    private void releaseLocal() {
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (UdpMux m : muxes) {
            m.close();
        }
    }

    @Override
    public String toString() {
        return "NftablesProxy[" + control.name() + " table inet " + table + ", port " + listenPort + ", ICE on " + iceAddresses() + "]";
    }
}
