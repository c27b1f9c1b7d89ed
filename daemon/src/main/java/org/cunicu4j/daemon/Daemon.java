package org.cunicu4j.daemon;

import org.cunicu4j.daemon.epdisc.EndpointDiscoveryStats;
import java.util.TreeMap;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonApi;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.config.DaemonConfig;
import org.cunicu4j.daemon.config.InterfaceConfig;
import org.cunicu4j.linux.netlink.NetlinkEvent;
import org.cunicu4j.linux.netlink.NetlinkSubscription;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.signaling.backend.Backends;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.uapi.UapiSockets;

/**
 * The cunicu4j daemon: opens the signaling backends, serves the control socket, manages
 * WireGuard interfaces (creates our own userspace devices or adopts existing ones) and runs
 * endpoint discovery for their peers; a watcher diffs devices and peers every
 * {@code watch_interval} and on link events and drives the sessions from the changes.
 *
 * <p>Threading: everything that changes interfaces runs on one platform thread, the daemon
 * thread, created by the thread calling {@link #start} — so a daemon started inside a
 * network namespace ({@code NetNs.call}) keeps creating sockets and devices there. The
 * {@link DaemonApi} methods are thread-safe and may be called from any thread (the control
 * socket's). Ownership: the daemon owns the backends, the control server, the devices it
 * created, the port sharings, the sessions and the lock files; {@link #close()} releases
 * them all and leaves adopted devices running.
 */
public final class Daemon implements DaemonApi, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    private static final Duration SYNC_WAIT = Duration.ofSeconds(10);
    private static final Duration LINK_EVENT_DELAY = Duration.ofMillis(100);

    /** Starts the control server on {@code rpc.socket} (module daemon's {@code control} package). */
    @FunctionalInterface
    public interface ControlStarter {
        /**
         * Serves {@code api} on {@code socket}.
         *
         * @throws IOException when the socket cannot be served (another daemon answers there: named)
         */
        AutoCloseable start(Path socket, DaemonApi api) throws IOException;
    }

    /**
     * How the daemon runs besides its configuration.
     *
     * @param lockDirectory where the lock files live ({@code <dir>/<ifname>.lock})
     * @param control starts the control server (null: none)
     * @param externalModes opens the port-sharing modes of external devices (tests: fakes)
     */
    public record Options(Path lockDirectory, ControlStarter control, ExternalModeOpener externalModes) {
        public Options {
            Objects.requireNonNull(lockDirectory, "lockDirectory");
            Objects.requireNonNull(externalModes, "externalModes");
        }

        /** Lock files in {@code /var/run/cunicu4j}; the control server on {@code rpc.socket}; module proxy's modes. */
        public static Options defaults() {
            return new Options(InterfaceLock.DEFAULT_DIRECTORY, DEFAULT_CONTROL, ExternalModeOpener.REAL);
        }

        public Options withControl(ControlStarter c) {
            return new Options(lockDirectory, c, externalModes);
        }

        public Options withLockDirectory(Path dir) {
            return new Options(dir, control, externalModes);
        }

        /** The external modes opened through {@code opener} (a test's fakes) instead of module proxy's. */
        public Options withExternalModes(ExternalModeOpener opener) {
            return new Options(lockDirectory, control, opener);
        }
    }

    private static final ControlStarter DEFAULT_CONTROL = org.cunicu4j.daemon.control.ControlServer::start;

    private final DaemonConfig config;
    private final Options options;
    private final Instant started = Instant.now();
    private final EventHub hub = new EventHub();
    private final Map<String, ManagedInterface> interfaces = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor thread;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Names given on the command line (daemon thread only after start). */
    private final Set<String> named = new LinkedHashSet<>();
    /** Names that matched a glob but are no WireGuard device we can control: not retried every pass. */
    private final Set<String> notWireGuard = new HashSet<>();

    /** The daemon thread (the executor's only one). */
    private volatile Thread daemonThread;
    private RtNetlink rt;
    private SignalingBackend backend;
    private AutoCloseable control;
    private NetlinkSubscription linkEvents;
    private InterfaceSetup setup;
    private ScheduledFuture<?> poll;
    private ScheduledFuture<?> pendingLinkSync;

    private Daemon(DaemonConfig config, Options options) {
        this.config = config;
        this.options = options;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Thread.ofPlatform().name("cunicu4j-daemon").daemon().unstarted(r);
            daemonThread = t;
            return t;
        });
        this.thread.setRemoveOnCancelPolicy(true);
        this.thread.prestartAllCoreThreads(); // created here: inherits the caller's network namespace
    }

    /** {@link #start(DaemonConfig, List, Options)} with the default options. */
    public static Daemon start(DaemonConfig config, List<String> ifnames) throws IOException {
        return start(config, ifnames, Options.defaults());
    }

    /**
     * Starts a daemon: backends, control socket, then the interfaces named in {@code ifnames}
     * and the non-glob keys of the configuration's {@code interfaces:}. Returns when all are
     * set up; a failure undoes what was started.
     *
     * @throws DaemonException for what the user can fix (one line naming key, file, interface or socket)
     * @throws IOException when the system refused (named)
     */
    public static Daemon start(DaemonConfig config, List<String> ifnames, Options options) throws IOException {
        Daemon d = new Daemon(config, options);
        try {
            d.startUp(ifnames);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void startUp(List<String> ifnames) throws IOException {
        String source = sourceName(config);
        if (config.backends().isEmpty()) {
            throw new DaemonException("no signaling backend: set backends (a list of URLs such as grpc://host:8080?insecure=true) in "
                    + source);
        }
        try {
            backend = Backends.openAll(config.backends());
        } catch (IllegalArgumentException e) {
            throw new DaemonException("backends in " + source + ": " + e.getMessage(), e);
        }
        rt = RtNetlink.open();
        if (options.control() != null) {
            try {
                control = options.control().start(config.rpcSocket(), this);
            } catch (org.cunicu4j.daemon.control.SocketInUseException e) {
                // the message names the socket and says another daemon serves it
                throw new DaemonException("rpc.socket " + e.getMessage() + " (-o rpc.socket=PATH gives this daemon its own)", e);
            } catch (IOException e) {
                throw new DaemonException("rpc.socket " + config.rpcSocket() + ": " + e.getMessage(), e);
            }
        }
        setup = new InterfaceSetup(rt, backend, hub::publish, options.lockDirectory(), source, options.externalModes(),
                thread);
        named.addAll(ifnames);
        Set<String> wanted = new LinkedHashSet<>(ifnames);
        wanted.addAll(config.explicitInterfaces());
        if (wanted.isEmpty() && config.interfacePatterns().isEmpty()) {
            throw new DaemonException("no interface to manage: name one on the command line or under interfaces in " + source);
        }
        // set up on the daemon thread: the same thread (and namespace) as later adoptions
        call(() -> {
            for (String name : wanted) {
                adopt(name, true);
            }
            syncNow();
            return null;
        }, null);
        linkEvents = NetlinkSubscription.start(this::onLinkEvent);
        long every = Math.max(100, config.watchInterval().toMillis());
        poll = thread.scheduleWithFixedDelay(this::syncQuietly, every, every, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "cunicu4j daemon ready: interfaces {0}, control socket {1}",
                String.join(", ", interfaces.keySet()), config.rpcSocket());
    }

    /** How errors name the configuration: its file, or "the built-in defaults" when there is none. */
    static String sourceName(DaemonConfig config) {
        return config.source() == null ? "the configuration (built-in defaults and overrides, no file)"
                : config.source().toString();
    }

    /** The configuration this daemon runs with. */
    public DaemonConfig config() {
        return config;
    }

    /** The names of the interfaces managed now. */
    public Set<String> interfaceNames() {
        return Set.copyOf(interfaces.keySet());
    }

    /** Completes when the daemon has shut down (after {@link #shutdown()} or {@link #close()}). */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    // ---- DaemonApi

    @Override
    public DaemonStatus status() {
        List<InterfaceStatus> out = new ArrayList<>();
        for (ManagedInterface mi : List.copyOf(interfaces.values())) {
            out.add(status(mi));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return new DaemonStatus(Version.get(), ProcessHandle.current().pid(), started, out, counters());
    }

    /** Endpoint discovery's counters summed over the interfaces, by snake_case name. */
    private Map<String, Long> counters() {
        long unknown = 0, malformed = 0, ignored = 0, stale = 0, dropped = 0, publishErrors = 0, restarts = 0;
        for (ManagedInterface mi : List.copyOf(interfaces.values())) {
            if (mi.epdisc == null) {
                continue;
            }
            EndpointDiscoveryStats st = mi.epdisc.stats();
            unknown += st.unknownSender();
            malformed += st.malformed();
            ignored += st.ignored();
            stale += st.staleCredentials();
            dropped += st.remoteCandidatesDropped();
            publishErrors += st.publishErrors();
            restarts += st.restarts();
        }
        Map<String, Long> c = new TreeMap<>();
        c.put("signaling_unknown_sender", unknown);
        c.put("signaling_malformed", malformed);
        c.put("signaling_ignored", ignored);
        c.put("signaling_stale_credentials", stale);
        c.put("signaling_remote_candidates_dropped", dropped);
        c.put("signaling_publish_errors", publishErrors);
        c.put("session_restarts", restarts);
        return c;
    }

    private InterfaceStatus status(ManagedInterface mi) {
        DeviceStatus dev;
        try {
            dev = mi.control.status();
        } catch (IOException | RuntimeException e) {
            dev = null;
        }
        Map<Key, PeerStatus> wg = new HashMap<>();
        if (dev != null) {
            for (PeerStatus p : dev.peers()) {
                wg.put(p.publicKey(), p);
            }
        }
        List<PeerSessionStatus> peers = new ArrayList<>();
        Set<Key> seen = new HashSet<>();
        for (PeerSessionStatus s : mi.epdisc.status()) {
            seen.add(s.publicKey());
            PeerStatus p = wg.get(s.publicKey());
            peers.add(join(mi, s, p));
        }
        for (PeerStatus p : wg.values()) { // peers the sessions do not know (yet)
            if (!seen.contains(p.publicKey())) {
                peers.add(new PeerSessionStatus(mi.peerName(p.publicKey()), p.publicKey(), ConnectionState.IDLE, null, null,
                        null, null, p.rxBytes(), p.txBytes(), p.lastHandshake(), endpoint(p), 0, null));
            }
        }
        peers.sort((a, b) -> a.publicKey().toBase64().compareTo(b.publicKey().toBase64()));
        return new InterfaceStatus(mi.name, mi.kind, mi.publicKey, dev == null ? 0 : dev.listenPort(), mi.sharing.mode(),
                mi.sharing.reason(), peers);
    }

    private static PeerSessionStatus join(ManagedInterface mi, PeerSessionStatus s, PeerStatus p) {
        String name = s.name() != null ? s.name() : mi.peerName(s.publicKey());
        if (p == null) {
            return new PeerSessionStatus(name, s.publicKey(), s.state(), s.proxyMode(), s.proxyReason(), s.selectedPair(),
                    s.rtt(), s.rxBytes(), s.txBytes(), s.lastHandshake(), s.endpoint(), s.restarts(), s.lastError());
        }
        return new PeerSessionStatus(name, s.publicKey(), s.state(), s.proxyMode(), s.proxyReason(), s.selectedPair(), s.rtt(),
                p.rxBytes(), p.txBytes(), p.lastHandshake(), endpoint(p), s.restarts(), s.lastError());
    }

    private static String endpoint(PeerStatus p) {
        return p.endpoint() == null ? null : p.endpoint().getAddress().getHostAddress() + ":" + p.endpoint().getPort();
    }

    @Override
    public AutoCloseable watch(Consumer<DaemonEvent> listener) {
        return hub.watch(listener);
    }

    @Override
    public void sync() {
        if (closing.get()) {
            return;
        }
        try {
            call(() -> {
                syncNow();
                return null;
            }, SYNC_WAIT);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "sync: {0}", e.getMessage());
        }
    }

    @Override
    public boolean restartPeer(String iface, Key peer) {
        ManagedInterface mi = interfaces.get(iface);
        return mi != null && mi.epdisc.restartPeer(peer);
    }

    @Override
    public void shutdown() {
        Thread.ofPlatform().name("cunicu4j-shutdown").daemon().start(this::close);
    }

    // ---- the watcher

    private void onLinkEvent(NetlinkEvent e) {
        boolean relevant = switch (e) {
            case NetlinkEvent.LinkEvent le -> le.change() != NetlinkEvent.Change.CHANGED || !le.link().up();
            case NetlinkEvent.Overrun o -> true;
            case NetlinkEvent.AddressEvent a -> false;
        };
        if (!relevant || closing.get()) {
            return;
        }
        synchronized (this) {
            if (pendingLinkSync == null || pendingLinkSync.isDone()) {
                try {
                    pendingLinkSync = thread.schedule(this::syncQuietly, LINK_EVENT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    // shutting down
                }
            }
        }
    }

    private void syncQuietly() {
        try {
            syncNow();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "watcher pass failed: {0}", e.toString());
        }
    }

    /** One watcher pass (daemon thread): interfaces gone or new, peers added or removed. */
    private void syncNow() {
        if (closing.get()) {
            return;
        }
        for (ManagedInterface mi : List.copyOf(interfaces.values())) {
            DeviceStatus st = readOrRemove(mi);
            if (st == null) {
                continue;
            }
            if (Proxies.unwrap(mi.sharing) instanceof org.cunicu4j.proxy.ExternalPortSharing up && st.listenPort() != 0
                    && st.listenPort() != up.listenPort()) {
                // the external device listens elsewhere now (wg set listen-port, a restart): the copy loops follow
                LOG.log(System.Logger.Level.INFO, "{0} listens on port {1} now (was {2}): the port sharing follows",
                        mi.name, String.valueOf(st.listenPort()), String.valueOf(up.listenPort()));
                up.listenPortChanged(st.listenPort());
            }
            Set<Key> now = new HashSet<>();
            for (PeerStatus p : st.peers()) {
                now.add(p.publicKey());
            }
            for (Key k : now) {
                if (!mi.peers.contains(k)) {
                    mi.peers.add(k);
                    try {
                        // autocfg: the peer's derived addresses join its allowed IPs
                        mi.autocfg.peerAdded(mi.control, k);
                    } catch (IOException | RuntimeException e) {
                        emit(DaemonEvent.Type.ERROR, mi.name, k, "adding the derived addresses of peer " + name(mi, k) + " on "
                                + mi.name + ": " + e.getMessage());
                    }
                    try {
                        mi.epdisc.addPeer(k, mi.peerName(k));
                        emit(DaemonEvent.Type.PEER_ADDED, mi.name, k, "peer " + name(mi, k) + " added on " + mi.name);
                    } catch (RuntimeException e) {
                        emit(DaemonEvent.Type.ERROR, mi.name, k, "adding peer " + name(mi, k) + " on " + mi.name + ": " + e);
                    }
                }
            }
            for (Key k : List.copyOf(mi.peers)) {
                if (!now.contains(k)) {
                    mi.peers.remove(k);
                    try {
                        mi.epdisc.removePeer(k);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "removing peer {0} on {1}: {2}", name(mi, k), mi.name, e.toString());
                    }
                    emit(DaemonEvent.Type.PEER_REMOVED, mi.name, k, "peer " + name(mi, k) + " removed from " + mi.name);
                }
            }
        }
        adoptMatching();
    }

    /** The device's status, or null after tearing the interface down when the device is gone. */
    private DeviceStatus readOrRemove(ManagedInterface mi) {
        boolean linkGone;
        try {
            linkGone = rt.findLink(mi.name).isEmpty();
        } catch (IOException e) {
            linkGone = false;
        }
        String why = null;
        DeviceStatus st = null;
        if (linkGone) {
            why = "interface " + mi.name + " disappeared";
        } else {
            try {
                st = mi.control.status();
            } catch (IOException | RuntimeException e) {
                why = "device " + mi.name + " does not answer: " + e.getMessage();
            }
        }
        if (why == null) {
            return st;
        }
        interfaces.remove(mi.name);
        LOG.log(System.Logger.Level.WARNING, "{0}: tearing its sessions down", why);
        mi.close();
        emit(DaemonEvent.Type.INTERFACE_REMOVED, mi.name, null, why);
        return null;
    }

    /** Adopts interfaces that appeared and match a glob key of {@code interfaces:} (or were named and came back). */
    private void adoptMatching() {
        List<PathMatcher> globs = new ArrayList<>();
        for (String pattern : config.interfacePatterns()) {
            if (isGlob(pattern)) {
                globs.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
            }
        }
        Set<String> candidates = new LinkedHashSet<>();
        try {
            for (org.cunicu4j.linux.netlink.Link l : rt.links()) {
                candidates.add(l.name());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "listing links: {0}", e.getMessage());
            return;
        }
        notWireGuard.retainAll(candidates);
        for (String name : candidates) {
            if (interfaces.containsKey(name) || notWireGuard.contains(name)) {
                continue;
            }
            boolean match = named.contains(name) || isNonGlobKey(name);
            for (PathMatcher m : globs) {
                match |= m.matches(Path.of(name));
            }
            if (match) {
                adopt(name, false);
            }
        }
    }

    private boolean isNonGlobKey(String name) {
        return config.explicitInterfaces().contains(name);
    }

    /**
     * Sets up {@code name}; at start-up ({@code strict}) a failure is thrown, later it is
     * logged and the name is skipped until its link changes.
     */
    private void adopt(String name, boolean strict) {
        if (interfaces.containsKey(name)) {
            return;
        }
        InterfaceConfig cfg = config.interfaceConfig(name);
        ManagedInterface mi;
        try {
            if (!strict && !UapiSockets.usable(UapiSockets.socketOf(name)) && !kernelWireGuard(name)) {
                notWireGuard.add(name);
                return;
            }
            mi = setup.setUp(name, cfg);
        } catch (IOException | RuntimeException e) {
            if (strict) {
                throw e instanceof RuntimeException re ? re : new DaemonException(name + ": " + e.getMessage(), e);
            }
            notWireGuard.add(name);
            LOG.log(System.Logger.Level.WARNING, "not managing {0}: {1}", name, e.getMessage());
            emit(DaemonEvent.Type.ERROR, name, null, "not managing " + name + ": " + e.getMessage());
            return;
        }
        interfaces.put(name, mi);
        emit(DaemonEvent.Type.INTERFACE_ADDED, name, null, "managing " + name + " (" + mi.kind + ", proxy "
                + mi.sharing.mode().configName() + ")");
    }

    private static boolean kernelWireGuard(String name) {
        try (var c = org.cunicu4j.wireguard.control.WireGuardControls.open(name)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isGlob(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return true;
            }
        }
        return false;
    }

    private String name(ManagedInterface mi, Key k) {
        String n = mi.peerName(k);
        return n != null ? n + " (" + k.toBase64().substring(0, 8) + "…)" : k.toBase64().substring(0, 8) + "…";
    }

    /** The port sharing of interface {@code iface}, or null (tests). */
    org.cunicu4j.proxy.PortSharing sharing(String iface) {
        ManagedInterface mi = interfaces.get(iface);
        return mi == null ? null : Proxies.unwrap(mi.sharing);
    }

    private void emit(DaemonEvent.Type type, String iface, Key peer, String message) {
        hub.publish(new DaemonEvent(Instant.now(), type, iface, peer, null, null, message));
    }

    /** Runs {@code task} on the daemon thread and waits (at most {@code timeout}, null: forever). */
    private <T> T call(java.util.concurrent.Callable<T> task, Duration timeout) throws IOException {
        if (Thread.currentThread() == daemonThread) {
            try {
                return task.call(); // already on it (a listener calling back): waiting would deadlock
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        Future<T> f = thread.submit(task);
        try {
            return timeout == null ? f.get() : f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the daemon thread", e);
        } catch (TimeoutException e) {
            throw new IOException("the daemon thread did not answer within " + timeout);
        }
    }

    // ---- shutdown

    /**
     * Shuts down: stops the watcher, closes every session and port sharing, the devices we
     * created (their interfaces disappear), the control socket, the backends and the lock
     * files. Adopted devices keep running. Idempotent; returns when done.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        try {
            LOG.log(System.Logger.Level.INFO, "cunicu4j daemon shutting down");
            if (poll != null) {
                poll.cancel(false);
            }
            if (linkEvents != null) {
                linkEvents.close();
            }
            thread.shutdown();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (ManagedInterface mi : List.copyOf(interfaces.values())) {
                interfaces.remove(mi.name);
                mi.close();
                emit(DaemonEvent.Type.INTERFACE_REMOVED, mi.name, null, "daemon shutting down: " + mi.name
                        + (mi.ours() ? " removed" : " left running"));
            }
            if (control != null) {
                try {
                    control.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "closing the control socket: {0}", e.toString());
                }
            }
            if (backend != null) {
                try {
                    backend.close();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing the signaling backends: {0}", e.toString());
                }
            }
            if (rt != null) {
                rt.close();
            }
            hub.close();
            LOG.log(System.Logger.Level.INFO, "cunicu4j daemon stopped");
        } finally {
            terminated.complete(null);
        }
    }

    @Override
    public String toString() {
        return "Daemon[" + interfaces.keySet() + "]";
    }
}
