package org.cunicu4j.daemon.rtsync;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.netlink.Route;
import org.cunicu4j.linux.netlink.RouteChange;
import org.cunicu4j.linux.netlink.RouteTable;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;

/**
 * Keeps one interface's peers and a kernel routing table in step (cunīcu's {@code rtsync}):
 * <ul>
 * <li>for each allowed IP of a peer, a route {@code PREFIX via GATEWAY dev IF table T proto
 * }{@link #PROTOCOL}, the gateway being the peer's derived address of the prefix's family (no
 * gateway for the peer's own host prefix, or when it has no address of that family); the
 * routes follow {@link #peerUpdated} and go with {@link #peerRemoved} and {@link #close()}. A
 * prefix that already has a route in the table (someone else's) is left alone;</li>
 * <li>the reverse: a route in table T, on this interface, not installed by us, whose gateway is
 * a peer's address and whose destination no allowed IP of that peer covers, makes the
 * destination an allowed IP of that peer ({@link AllowedIpSink#addAllowedIp}); when that
 * route goes, so does the allowed IP — only ones learned this way are ever removed.</li>
 * </ul>
 * Routes tagged {@link #PROTOCOL} on this interface at {@link #start} are a previous run's and
 * are removed; the peers' routes come back as peers are added.
 *
 * <p>What a peer announces is taken as given: its allowed IPs become routes in the table
 * (a peer announcing {@code 0.0.0.0/0} or a LAN prefix draws that traffic into the mesh, unless
 * the table already has a route for exactly that prefix), and its addresses become gateways.
 * The daemon's wiring must limit them before {@link #peerUpdated}: addresses to the peer's
 * derived ones, allowed IPs to what the configuration permits.
 *
 * <p>Kernel errors are logged and counted ({@link #errors()}), never thrown out of the peer
 * methods; so is a watch that stops on an error (it is not restarted). Owned by the daemon, one per interface; its route table must be opened in the
 * interface's network namespace, and {@link #start} called there (the watch's socket joins
 * the calling thread's namespace). Thread-safe. Two locks, always taken in this order: the
 * learning lock, held by {@link #resync} and the watch's callback across reading the table,
 * updating what was learned and calling the sink (so the sink sees a prefix's add and remove
 * in the order they were decided, one call at a time), and the state lock (the peers and the
 * kernel requests of the peer methods), never held while the sink runs. The sink may call this
 * instance's methods on its own thread, but must not wait for another thread that does.
 */
public final class RouteSync implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RouteSync.class.getName());

    /** The {@code rtm_protocol} of our routes ({@code ip route show proto 98}); not one iproute2 names. */
    public static final int PROTOCOL = 98;

    /**
     * @param table the routing table (cunīcu's {@code routing_table}; {@link Route#TABLE_MAIN} by default)
     * @param watchRoutes whether routes added later by others are followed (cunīcu's {@code watch_routes});
     *        without it, the table is read once at {@link #start} and at each {@link #resync()}
     */
    public record Settings(long table, boolean watchRoutes) {
        public Settings {
            if (table < 1 || table > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("routing_table must be 1..4294967295, got " + table);
            }
        }

        /** The main table, watched. */
        public static Settings defaults() {
            return new Settings(Route.TABLE_MAIN, true);
        }
    }

    private record Action(boolean add, Key peer, IpPrefix prefix) {}

    private static final class Peer {
        final Key key;
        List<InetAddress> gateways = List.of();
        Set<IpPrefix> allowed = Set.of();
        final Set<IpPrefix> learned = new LinkedHashSet<>();
        final Map<IpPrefix, Route> installed = new LinkedHashMap<>();

        Peer(Key key) {
            this.key = key;
        }
    }

    private final Settings settings;
    private final String ifname;
    private final int ifindex;
    private final RouteTable routes;
    private final AllowedIpSink sink;
    private final Map<Key, Peer> peers = new LinkedHashMap<>();
    private final Map<InetAddress, Peer> byGateway = new HashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private final Object learning = new Object(); // before `this`: see the class comment
    private RouteTable.Watch watch;
    private boolean closed;

    /**
     * @param routes the table {@code settings.table()} of the interface's namespace (owned by the caller)
     */
    public RouteSync(Settings settings, String ifname, int ifindex, RouteTable routes, AllowedIpSink sink) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ifname = Objects.requireNonNull(ifname, "ifname");
        if (ifindex <= 0) {
            throw new IllegalArgumentException("interface index must be positive, got " + ifindex);
        }
        if (routes.table() != settings.table()) {
            throw new IllegalArgumentException("route table " + routes.table() + " is not routing_table " + settings.table());
        }
        this.ifindex = ifindex;
        this.routes = routes;
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Removes a previous run's routes, starts following the table (if {@link Settings#watchRoutes})
     * and reads it once. Call in the interface's network namespace.
     */
    public void start() throws IOException {
        synchronized (this) {
            for (RouteChange c : routes.routes()) {
                if (c.protocol() == PROTOCOL && c.route().linkIndex() == ifindex) {
                    remove(c.route());
                }
            }
            if (settings.watchRoutes()) {
                watch = routes.watch(this::onRoute, this::resyncQuietly, this::watchStopped);
            }
        }
        resync();
    }

    /**
     * Sets {@code peer}'s derived addresses (the gateways: its first IPv4 and first IPv6 one are
     * used) and allowed IPs, and brings its routes in line. Learned allowed IPs (from routes)
     * may be among {@code allowedIps}: they get no route of ours.
     */
    public void peerUpdated(Key peer, Collection<? extends InetAddress> addresses, Collection<IpPrefix> allowedIps) {
        synchronized (this) {
            if (closed) {
                return;
            }
            Peer p = peers.computeIfAbsent(peer, Peer::new);
            byGateway.values().removeIf(x -> x == p);
            List<InetAddress> gws = new ArrayList<>();
            addresses.stream().filter(Prefixes::isV4).findFirst().ifPresent(gws::add);
            addresses.stream().filter(a -> !Prefixes.isV4(a)).findFirst().ifPresent(gws::add);
            p.gateways = List.copyOf(gws);
            gws.forEach(g -> byGateway.put(g, p));
            Set<IpPrefix> allowed = new LinkedHashSet<>();
            allowedIps.forEach(a -> allowed.add(a.masked()));
            p.allowed = allowed;
            Map<IpPrefix, Route> want = new LinkedHashMap<>();
            for (IpPrefix a : allowed) {
                if (!p.learned.contains(a)) {
                    want.put(a, routeFor(p, a));
                }
            }
            for (Map.Entry<IpPrefix, Route> e : new ArrayList<>(p.installed.entrySet())) {
                if (!e.getValue().equals(want.get(e.getKey()))) {
                    p.installed.remove(e.getKey());
                    remove(e.getValue());
                }
            }
            for (Map.Entry<IpPrefix, Route> e : want.entrySet()) {
                if (!p.installed.containsKey(e.getKey()) && add(e.getValue())) {
                    p.installed.put(e.getKey(), e.getValue());
                }
            }
        }
        resyncQuietly(); // routes via this peer's addresses that were there before it
    }

    /** Removes {@code peer}'s routes and forgets it. */
    public void peerRemoved(Key peer) {
        synchronized (this) {
            Peer p = peers.remove(peer);
            if (p == null) {
                return;
            }
            byGateway.values().removeIf(x -> x == p);
            p.installed.values().forEach(this::remove);
            p.installed.clear();
        }
    }

    /**
     * Reads the table and applies routes via peers' addresses that are not known yet (and drops
     * learned allowed IPs whose routes are gone). Run after a watch lost events; without
     * {@link Settings#watchRoutes}, the daemon's periodic sync may call it.
     */
    public void resync() throws IOException {
        synchronized (learning) {
            List<RouteChange> now = routes.routes();
            List<Action> actions = new ArrayList<>();
            synchronized (this) {
                if (closed) {
                    return;
                }
                Map<Peer, Set<IpPrefix>> seen = new HashMap<>();
                for (RouteChange c : now) {
                    Peer p = learnable(c);
                    if (p != null) {
                        IpPrefix dst = dst(c);
                        seen.computeIfAbsent(p, x -> new LinkedHashSet<>()).add(dst);
                        learn(p, dst, actions);
                    }
                }
                for (Peer p : peers.values()) {
                    for (IpPrefix l : new ArrayList<>(p.learned)) {
                        if (!seen.getOrDefault(p, Set.of()).contains(l)) {
                            p.learned.remove(l);
                            actions.add(new Action(false, p.key, l));
                        }
                    }
                }
            }
            run(actions);
        }
    }

    /** Kernel requests that failed so far (each logged). */
    public long errors() {
        return errors.get();
    }

    /** Stops following the table and removes every route this instance installed. */
    @Override
    public void close() {
        RouteTable.Watch w;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            w = watch;
            for (Peer p : peers.values()) {
                p.installed.values().forEach(this::remove);
                p.installed.clear();
            }
            peers.clear();
            byGateway.clear();
        }
        if (w != null) {
            w.close();
        }
    }

    private void onRoute(RouteChange c) {
        synchronized (learning) {
            List<Action> actions = new ArrayList<>();
            synchronized (this) {
                if (closed) {
                    return;
                }
                Peer p = learnable(c);
                if (p == null) {
                    return;
                }
                IpPrefix dst = dst(c);
                if (c.removed()) {
                    if (p.learned.remove(dst)) {
                        actions.add(new Action(false, p.key, dst));
                    }
                } else {
                    learn(p, dst, actions);
                }
            }
            run(actions);
        }
    }

    /** The peer {@code c} is a route via, if it is someone else's route on our interface; else null. */
    private Peer learnable(RouteChange c) {
        Route r = c.route();
        if (c.protocol() == PROTOCOL || r.gateway() == null || (r.linkIndex() != 0 && r.linkIndex() != ifindex)) {
            return null;
        }
        return byGateway.get(r.gateway());
    }

    private static IpPrefix dst(RouteChange c) {
        return new IpPrefix(c.route().destination(), c.route().prefixLength()).masked();
    }

    private void learn(Peer p, IpPrefix dst, List<Action> actions) {
        if (p.learned.contains(dst) || p.allowed.stream().anyMatch(a -> Prefixes.covers(a, dst))) {
            return;
        }
        p.learned.add(dst);
        actions.add(new Action(true, p.key, dst));
    }

    private Route routeFor(Peer p, IpPrefix a) {
        InetAddress gw = p.gateways.stream().filter(g -> Prefixes.isV4(g) == Prefixes.isV4(a.address())).findFirst().orElse(null);
        if (gw != null && a.equals(Prefixes.host(gw))) {
            gw = null; // the peer's own address: directly on the link
        }
        return new Route(a.address(), a.bits(), gw, ifindex, settings.table());
    }

    private boolean add(Route r) {
        try {
            routes.add(r, PROTOCOL);
            LOG.log(System.Logger.Level.DEBUG, "rtsync {0}: added {1}", ifname, r);
            return true;
        } catch (LinuxException e) {
            if (e.errno() == Errno.EEXIST) {
                LOG.log(System.Logger.Level.INFO, "rtsync {0}: {1}: the table has a route there already; leaving it", ifname, r);
            } else {
                errors.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "rtsync {0}: {1}", ifname, e.getMessage());
            }
            return false;
        } catch (IOException e) {
            errors.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "rtsync {0}: adding {1}: {2}", ifname, r, e.toString());
            return false;
        }
    }

    private void remove(Route r) {
        try {
            routes.remove(r, PROTOCOL);
            LOG.log(System.Logger.Level.DEBUG, "rtsync {0}: removed {1}", ifname, r);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ESRCH && e.errno() != Errno.ENODEV) { // gone already (link deleted, someone removed it)
                errors.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "rtsync {0}: {1}", ifname, e.getMessage());
            }
        } catch (IOException e) {
            errors.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "rtsync {0}: removing {1}: {2}", ifname, r, e.toString());
        }
    }

    private void watchStopped(IOException e) {
        errors.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "rtsync {0}: watching table {1} stopped: {2}; routes added by others are no "
                + "longer followed until the interface is set up again", ifname, settings.table(), e.getMessage());
    }

    private void resyncQuietly() {
        try {
            resync();
        } catch (IOException e) {
            errors.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "rtsync {0}: reading table {1}: {2}", ifname, settings.table(), e.toString());
        }
    }

    private void run(List<Action> actions) {
        for (Action a : actions) {
            try {
                if (a.add()) {
                    LOG.log(System.Logger.Level.INFO, "rtsync {0}: route via peer {1}: allowing {2}", ifname, a.peer(), a.prefix());
                    sink.addAllowedIp(a.peer(), a.prefix());
                } else {
                    LOG.log(System.Logger.Level.INFO, "rtsync {0}: route via peer {1} gone: removing {2}", ifname, a.peer(), a.prefix());
                    sink.removeAllowedIp(a.peer(), a.prefix());
                }
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "rtsync " + ifname + ": updating allowed IPs of " + a.peer() + " failed", e);
            }
        }
    }
}
