package org.cunicu4j.proxy.ipt;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.IceSockets;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxies;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.proxy.SharedPortGatherers;
import org.cunicu4j.proxy.ipt.IptablesRules.Family;
import org.cunicu4j.proxy.ipt.IptablesRules.PairRule;
import org.cunicu4j.proxy.ipt.IptablesRules.Redirect;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Port sharing for an external WireGuard device by iptables port rewriting
 * ({@link ProxyMode#IPTABLES}): the data path stays in the kernel, the daemon sees only STUN.
 * ICE runs on sockets of its own, one {@link UdpMux} per address family on an ephemeral port
 * (the ICE port; host, server-reflexive and relay candidates through
 * {@link SharedPortGatherers}), and the rules of {@link IptablesRules} make that port and
 * WireGuard's share the remote's view: non-STUN arriving at the ICE port is redirected to
 * WireGuard ({@code REDIRECT}), and per connected pair WireGuard's packets towards the remote
 * candidate leave from the ICE port ({@code SNAT}); STUN is not tracked at all.
 *
 * <p>NAT in iptables works per tracked connection, decided by its first packet. So STUN
 * never creates connections (raw-table {@code CT --notrack} on both directions of the ICE
 * port), and whenever a pair is selected the connections between WireGuard's port and the
 * remote that bypass the ICE port (tracked before the rule existed) are deleted through
 * ctnetlink ({@link Conntrack}), as are all of ours when the listen port changes and at
 * close: the next packet is translated by the rules in force.
 *
 * <p>Tools: {@code iptables-restore --noflush} (each change one transaction per family,
 * replacing the nat chains' whole content) and {@code iptables-save} (to find what a crashed
 * run left), of the first complete variant found ({@link IptablesTools}); IPv6 with the
 * {@code ip6tables} tools when they and an IPv6 socket are there. Every tool and ctnetlink
 * call runs on one platform thread of its own, started in the namespace {@link #open} was
 * called in (the device's).
 *
 * <p>Per peer, {@link #attach} opens a {@link RelayFallback}: a relay pair is served by the
 * user-space copy (the kernel cannot reach a TURN allocation), a direct pair by the rules
 * and the WireGuard peer's endpoint set to the remote candidate.
 *
 * <p>Ownership: owns the muxes, the rules and the worker thread; borrows the control.
 * Thread-safe: rule changes are serialised on the worker; {@link #attach},
 * {@link #listenPortChanged} and {@link #close()} meet under the peers' monitor as in
 * {@code UserspaceProxy}.
 */
public final class IptablesProxy implements ExternalPortSharing {
    private static final System.Logger LOG = System.getLogger(IptablesProxy.class.getName());
    /** How long one tool may run. */
    static final Duration TOOL_TIMEOUT = Duration.ofSeconds(15);
    /** How long an interrupted open or a close waits for the worker (a set-up runs up to seven tools). */
    static final Duration SETUP_BOUND = TOOL_TIMEOUT.multipliedBy(8);
    private static final Pattern FAILED_LINE = Pattern.compile("line (\\d{1,6}) failed");

    private final WireGuardControl control;
    private final String iface;
    private final IptablesTools tools;
    private final ToolRunner runner;
    private final ExecutorService worker;
    private final Thread workerThread;
    /** The families with rules installed, their mux (ICE port). */
    private final Map<Family, UdpMux> muxes;
    private final PeerProxies<IptablesPeerProxy> peers;
    /** The connected pairs' rules; touched only on the worker. */
    private final Map<IptablesPeerProxy, PairRule> pairs = new LinkedHashMap<>();
    private final String reason;
    private volatile int listenPort;
    private volatile boolean closing;

    private IptablesProxy(WireGuardControl control, int listenPort, IptablesTools tools, ToolRunner runner,
            ExecutorService worker, Thread workerThread, Map<Family, UdpMux> muxes, String reason) {
        this.control = control;
        this.iface = control.name();
        this.listenPort = listenPort;
        this.tools = tools;
        this.runner = runner;
        this.worker = worker;
        this.workerThread = workerThread;
        this.muxes = muxes;
        this.reason = reason;
        this.peers = new PeerProxies<>("IptablesProxy of " + iface);
    }

    /**
     * Opens the mode for the device behind {@code control} in the calling thread's network
     * namespace, with the iptables tools of the system ({@link IptablesTools#defaultSearchPath()}).
     *
     * @throws ProxyUnavailableException when the tools are missing or fail here, ctnetlink is
     *     missing, or the rules cannot be installed (nothing is left installed)
     * @throws IOException when no ICE socket can be opened
     */
    public static IptablesProxy open(WireGuardControl control, int listenPort) throws IOException {
        return open(control, listenPort, IptablesTools.defaultSearchPath());
    }

    /**
     * As {@link #open(WireGuardControl, int)}, looking for the tools in {@code toolDirs} only.
     */
    public static IptablesProxy open(WireGuardControl control, int listenPort, List<Path> toolDirs) throws IOException {
        Objects.requireNonNull(control, "control");
        IceSockets.checkListenPort(control, listenPort);
        String iface = control.name();
        try {
            IptablesRules.checkInterface(iface);
        } catch (IllegalArgumentException e) {
            throw new ProxyUnavailableException(ProxyMode.IPTABLES, e.getMessage());
        }
        IptablesTools tools = IptablesTools.find(toolDirs);
        ToolRunner runner = new ToolRunner(TOOL_TIMEOUT);
        Thread[] thread = new Thread[1];
        // created by this thread on the first submit: it shares this thread's network namespace
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = Thread.ofPlatform().daemon().name("iptables " + iface).unstarted(r);
            thread[0] = t;
            return t;
        });
        try {
            Map<Family, UdpMux> opened = openMuxes(iface);
            try {
                Future<IptablesProxy> f = worker.submit(() -> setUp(control, listenPort, tools, runner, worker, thread[0], opened));
                return awaitSetUp(f, iface);
            } catch (IOException | RuntimeException e) {
                opened.values().forEach(UdpMux::close);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            worker.shutdownNow();
            throw e;
        }
    }

    /**
     * The set-up's result. When the calling thread is interrupted meanwhile the worker goes on
     * (a tool killed halfway could leave rules behind): its end is awaited, uninterruptibly
     * and at most {@link #SETUP_BOUND}, a proxy it returned is closed, and the interrupt
     * stands as an {@link InterruptedIOException} with the thread's interrupt status set.
     */
    private static IptablesProxy awaitSetUp(Future<IptablesProxy> f, String iface) throws IOException {
        try {
            return get(f, false);
        } catch (InterruptedIOException e) {
            IptablesProxy done = null;
            try {
                done = get(f, true);
            } catch (IOException | RuntimeException ex) {
                e.addSuppressed(ex); // the set-up failed and undid its own work, or took too long
            }
            if (done != null) {
                done.close();
                e.addSuppressed(new IOException("the rules installed meanwhile were removed"));
            }
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    /** On the worker: removes what a crashed run left, checks ctnetlink, installs the rules. */
    private static IptablesProxy setUp(WireGuardControl control, int listenPort, IptablesTools tools, ToolRunner runner,
            ExecutorService worker, Thread workerThread, Map<Family, UdpMux> opened) throws IOException {
        String iface = control.name();
        String backend = backend(runner, tools);
        List<Family> families = new ArrayList<>(List.of(Family.V4));
        if (tools.hasIpv6()) {
            families.add(Family.V6);
        }
        Map<Family, List<Redirect>> earlier = new EnumMap<>(Family.class);
        for (Family f : families) {
            try {
                List<Redirect> stale = removeStale(runner, tools, f, iface);
                if (stale != null) {
                    earlier.put(f, stale);
                    LOG.log(System.Logger.Level.INFO, "iptables of {0}: removed the chains of an earlier run ({1})", iface, f);
                }
            } catch (IOException e) {
                if (f == Family.V4) {
                    throw new ProxyUnavailableException(ProxyMode.IPTABLES, "the iptables tools fail here: " + e.getMessage(), e);
                }
                LOG.log(System.Logger.Level.INFO, "iptables of {0}: no IPv6 rules ({1})", iface, e.getMessage());
                families.remove(Family.V6);
                break;
            }
        }
        try {
            Conntrack.check();
        } catch (IOException e) {
            throw new ProxyUnavailableException(ProxyMode.IPTABLES, "connection tracking cannot be managed through ctnetlink ("
                    + e.getMessage() + "); it is needed to reset connections when a pair changes", e);
        }
        Map<Family, UdpMux> installed = new EnumMap<>(Family.class);
        List<String> notes = new ArrayList<>();
        IOException first = null;
        for (Map.Entry<Family, UdpMux> e : opened.entrySet()) {
            Family f = e.getKey();
            if (!families.contains(f)) {
                notes.add("no IPv6 rules (ip6tables tools missing or failing)");
                e.getValue().close();
                continue;
            }
            int icePort = e.getValue().localAddress().getPort();
            try {
                restore(runner, tools, f, IptablesRules.install(f, iface, icePort, listenPort, List.of()));
                installed.put(f, e.getValue());
            } catch (IOException ex) {
                // a tool interrupted (by shutdownNow) sets the flag, which would fail the removal at once
                boolean interrupted = Thread.interrupted();
                try {
                    quietlyRemove(runner, tools, f, iface);
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                e.getValue().close();
                notes.add("no " + (f == Family.V4 ? "IPv4" : "IPv6") + " rules (" + ex.getMessage() + ")");
                if (first == null) {
                    first = ex;
                }
            }
        }
        for (Family f : installed.keySet()) {
            List<Redirect> stale = earlier.getOrDefault(f, List.of());
            if (stale.isEmpty()) {
                continue;
            }
            try {
                // an earlier run's translations (to its ICE port) would outlive its rules while refreshed
                int[] stalePorts = stale.stream().mapToInt(Redirect::icePort).toArray();
                Conntrack.delete(f.af, stalePorts, c -> stale.stream().anyMatch(r -> ours(c, r.icePort(), r.wgPort())));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "iptables of {0}: earlier connections not reset: {1}", iface, e.getMessage());
            }
        }
        if (installed.isEmpty()) {
            String why = first != null ? "the rules could not be installed: " + first.getMessage()
                    : "no address family has both an ICE socket and the iptables tools: " + String.join("; ", notes);
            throw new ProxyUnavailableException(ProxyMode.IPTABLES, why, first);
        }
        StringBuilder reason = new StringBuilder("iptables (").append(backend).append(", ").append(tools.restore4())
                .append("): non-STUN to the ICE port");
        installed.forEach((f, m) -> reason.append(' ').append(m.localAddress().getPort()).append(f == Family.V4 ? "/IPv4" : "/IPv6"));
        reason.append(" is redirected to WireGuard and its replies and per-pair packets leave from there, STUN goes to ICE (chains c4j-")
                .append(iface).append("-*)");
        notes.forEach(n -> reason.append("; ").append(n));
        return new IptablesProxy(control, listenPort, tools, runner, worker, workerThread, installed, reason.toString());
    }

    /** The backend the tools drive, from {@code iptables-save --version}: "nf_tables backend" or "legacy backend". */
    private static String backend(ToolRunner runner, IptablesTools tools) throws ProxyUnavailableException {
        String v;
        try {
            v = runner.run(List.of(tools.save4().toString(), "--version"), null).strip();
        } catch (IOException e) {
            throw new ProxyUnavailableException(ProxyMode.IPTABLES, tools.save4() + " does not run: " + e.getMessage(), e);
        }
        if (v.contains("nf_tables")) {
            return "nf_tables backend";
        }
        if (v.contains("legacy")) {
            return "legacy backend";
        }
        return v.isEmpty() ? "unknown backend" : v;
    }

    private static Map<Family, UdpMux> openMuxes(String iface) throws IOException {
        Map<Family, UdpMux> muxes = new EnumMap<>(Family.class);
        for (UdpMux m : IceSockets.openWildcardMuxes("IptablesProxy of " + iface)) {
            muxes.put(m.localAddress().getAddress() instanceof java.net.Inet4Address ? Family.V4 : Family.V6, m);
        }
        return muxes;
    }

    private static List<String> restore(IptablesTools tools, Family f) {
        Path p = f == Family.V4 ? tools.restore4() : tools.restore6();
        return List.of(p.toString(), "--noflush", "--wait", "5");
    }

    /**
     * Runs {@code iptables-restore --noflush} with {@code input}; when the tool names the line
     * that failed ({@code "line 4 failed"}), the message quotes it.
     */
    private static void restore(ToolRunner runner, IptablesTools tools, Family f, String input) throws IOException {
        try {
            runner.run(restore(tools, f), input);
        } catch (IOException e) {
            Matcher m = FAILED_LINE.matcher(String.valueOf(e.getMessage()));
            String[] lines = input.split("\n");
            if (m.find()) {
                int n = Integer.parseInt(m.group(1));
                if (n >= 1 && n <= lines.length) {
                    throw new IOException(e.getMessage() + " (line " + n + ": " + lines[n - 1] + ")", e);
                }
            }
            throw e;
        }
    }

    private static List<String> save(IptablesTools tools, Family f) {
        return List.of((f == Family.V4 ? tools.save4() : tools.save6()).toString());
    }

    /**
     * Deletes the jumps to {@code iface}'s chains (each duplicate) and the chains, as
     * {@code iptables-save} shows them.
     *
     * @return the redirects the chains held (their ports name the connections they
     *     translated), or null when there was nothing
     */
    private static List<Redirect> removeStale(ToolRunner runner, IptablesTools tools, Family f, String iface) throws IOException {
        String save = runner.run(save(tools, f), null);
        String removal = IptablesRules.removal(save, iface);
        if (removal.isEmpty()) {
            return null;
        }
        restore(runner, tools, f, removal);
        return IptablesRules.redirects(save, iface);
    }

    private static void quietlyRemove(ToolRunner runner, IptablesTools tools, Family f, String iface) {
        try {
            removeStale(runner, tools, f, iface);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "iptables of {0}: rules could not be removed: {1}", iface, e.getMessage());
        }
    }

    private static <T> T get(Future<T> f) throws IOException {
        return get(f, false);
    }

    /**
     * The result of {@code f}; {@code uninterruptibly}: ignoring interrupts (the status is
     * restored after) and waiting at most {@link #SETUP_BOUND}.
     *
     * @throws InterruptedIOException when interrupted (the status set)
     */
    private static <T> T get(Future<T> f, boolean uninterruptibly) throws IOException {
        long deadline = System.nanoTime() + SETUP_BOUND.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return uninterruptibly ? f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) : f.get();
                } catch (InterruptedException e) {
                    if (!uninterruptibly) {
                        Thread.currentThread().interrupt();
                        InterruptedIOException io = new InterruptedIOException("interrupted while waiting for the iptables worker");
                        io.initCause(e);
                        throw io;
                    }
                    interrupted = true;
                } catch (TimeoutException e) {
                    throw new IOException("the iptables worker did not finish within " + SETUP_BOUND.toSeconds() + " s", e);
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs {@code task} on the worker (in the device's namespace) and waits for it. */
    private <T> T onWorker(Callable<T> task) throws IOException {
        if (Thread.currentThread() == workerThread) {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        try {
            return get(worker.submit(task));
        } catch (RejectedExecutionException e) {
            throw new IOException("IptablesProxy of " + iface + " is closed", e);
        }
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.IPTABLES;
    }

    @Override
    public String reason() {
        return reason;
    }

    /** The interface whose chains these are. */
    public String interfaceName() {
        return iface;
    }

    /** The tools in use. */
    public IptablesTools tools() {
        return tools;
    }

    /** The ICE sockets' addresses (wildcard, ephemeral ports), one per family with rules. */
    public List<InetSocketAddress> iceAddresses() {
        return muxes.values().stream().map(UdpMux::localAddress).toList();
    }

    /** The ICE port of {@code address}'s family, or -1 when that family has none. */
    int icePort(InetAddress address) {
        UdpMux m = muxes.get(Family.of(address));
        return m == null ? -1 : m.localAddress().getPort();
    }

    @Override
    public List<Gatherer> gatherers(GatherSettings settings) {
        peers.requireOpen();
        return SharedPortGatherers.over(List.copyOf(muxes.values()), settings);
    }

    /**
     * Opens {@code peer}'s {@link RelayFallback} (a loopback socket in the calling thread's
     * namespace, copy loops on the agent's connection); the WireGuard peer is pointed at the
     * remote candidate (with its rule) or at the fallback when the agent selects a pair.
     */
    @Override
    public PeerProxy attach(Key peer, IceAgent agent) throws IOException {
        peers.requireOpen();
        RelayFallback fallback = RelayFallback.open(control, listenPort, peer, agent);
        IptablesPeerProxy p = new IptablesPeerProxy(this, control, peer, fallback);
        return peers.add(p, peer, q -> q.listenPortChanged(listenPort));
    }

    /**
     * {@code p}'s pair towards {@code remote} is selected: its rule replaces the one it had,
     * then the connections between WireGuard's port and the remote that bypass the ICE port
     * are deleted. The listen port is re-read from the control first (a change whose rules
     * failed earlier is retried).
     *
     * @return false when close has begun (nothing was changed: the endpoint is not to be set)
     * @throws IOException when the rules could not be changed (the old ones stay in force)
     */
    boolean setPair(IptablesPeerProxy p, InetSocketAddress remote) throws IOException {
        if (closing) {
            return false;
        }
        int now = control.status().listenPort();
        if (now >= 1 && now <= 65535 && now != listenPort) {
            try {
                listenPortChanged(now);
            } catch (UncheckedIOException e) {
                throw new IOException(e.getMessage(), e.getCause());
            }
        }
        Family f = Family.of(remote.getAddress());
        if (!muxes.containsKey(f)) {
            throw new IOException("IptablesProxy of " + iface + ": no rules for the family of " + remote);
        }
        return onWorker(() -> {
            if (closing) {
                return false;
            }
            PairRule rule = new PairRule(p.tag(), remote);
            PairRule old = pairs.put(p, rule);
            if (!rule.equals(old)) {
                try {
                    applyNat(f, listenPort);
                    if (old != null && Family.of(old.remote().getAddress()) != f) {
                        applyNat(Family.of(old.remote().getAddress()), listenPort);
                    }
                } catch (IOException e) {
                    // the rules in force are the old ones (each restore is one transaction)
                    if (old == null) {
                        pairs.remove(p);
                    } else {
                        pairs.put(p, old);
                    }
                    throw e;
                }
            }
            int wg = listenPort;
            int ice = muxes.get(f).localAddress().getPort();
            int n = Conntrack.delete(f.af, new int[] {wg}, c -> bypasses(c, remote, wg, ice));
            if (n > 0) {
                LOG.log(System.Logger.Level.DEBUG, "iptables of {0}: {1} connections to {2} reset", iface, n, remote);
            }
            return true;
        });
    }

    /**
     * Whether {@code c} connects WireGuard's port {@code wg} with {@code remote} other than
     * through ICE port {@code ice}: WireGuard's packets to the remote not translated to the
     * ICE port (tracked before the rule, or through an earlier run's port), or the remote's
     * packets delivered to WireGuard that did not arrive at the ICE port (sent to WireGuard's
     * port directly, or redirected from an earlier run's ICE port). Either would carry
     * WireGuard's packets to the remote from the wrong port. Outbound, the source address is
     * kept (our SNAT changes the port only): a forwarded host's flow masqueraded to this
     * host's address is not WireGuard's.
     */
    static boolean bypasses(Conntrack.Flow c, InetSocketAddress remote, int wg, int ice) {
        boolean outbound = c.origSrc().getPort() == wg && c.origDst().equals(remote) && c.replyDst().getPort() != ice
                && c.replyDst().getAddress().equals(c.origSrc().getAddress());
        boolean inbound = c.origSrc().equals(remote) && c.replySrc().getPort() == wg && c.origDst().getPort() != ice;
        return outbound || inbound;
    }

    /**
     * Whether {@code c} is one of our translations between ICE port {@code ice} and WireGuard's
     * port {@code wg}: redirected from the ICE port to WireGuard, or WireGuard's packets
     * translated to leave from the ICE port. Other connections with either port (a DNAT port
     * forward to WireGuard's port, a masqueraded LAN host's flow, another socket's traffic to
     * a port numbered like the ICE port) are not ours.
     */
    static boolean ours(Conntrack.Flow c, int ice, int wg) {
        return (c.origDst().getPort() == ice && c.replySrc().getPort() == wg)
                || (c.origSrc().getPort() == wg && c.replyDst().getPort() == ice);
    }

    /** {@code p} has no direct pair any more: its rule goes. */
    void removePair(IptablesPeerProxy p) throws IOException {
        if (closing) {
            return;
        }
        onWorker(() -> {
            PairRule old = pairs.remove(p);
            if (old != null && !closing) {
                applyNat(Family.of(old.remote().getAddress()), listenPort);
            }
            return null;
        });
    }

    /** On the worker: the nat chains of {@code f} from the pairs, naming WireGuard's port {@code wg}. */
    private void applyNat(Family f, int wg) throws IOException {
        UdpMux m = muxes.get(f);
        if (m == null) {
            return;
        }
        restore(runner, tools, f, IptablesRules.nat(f, iface, m.localAddress().getPort(), wg, pairs.values()));
    }

    /** On the worker: deletes our translations between the ICE ports and WireGuard's port {@code wg}. */
    private int resetConnections(int wg) throws IOException {
        int n = 0;
        for (Map.Entry<Family, UdpMux> e : muxes.entrySet()) {
            int ice = e.getValue().localAddress().getPort();
            n += Conntrack.delete(e.getKey().af, new int[] {ice}, c -> ours(c, ice, wg));
        }
        return n;
    }

    /**
     * The device now listens on {@code port}: the relay fallbacks send there, the redirect and
     * every pair's rule name it from now on, and our connections translated to the old port
     * are deleted. {@link #listenPort()} says {@code port} only once the rules of every family
     * name it; until then a call with the same port (or a pair change, which compares with the
     * control's port) tries again.
     *
     * @throws UncheckedIOException when the rules could not be rewritten (the tool's error)
     */
    @Override
    public void listenPortChanged(int port) {
        IceSockets.checkListenPort(control, port);
        synchronized (peers) {
            if (peers.closed()) {
                return;
            }
            peers.forEach(p -> p.listenPortChanged(port));
            try {
                onWorker(() -> {
                    int old = listenPort;
                    if (port == old) {
                        return null;
                    }
                    for (Family f : muxes.keySet()) {
                        applyNat(f, port);
                    }
                    listenPort = port;
                    try {
                        resetConnections(old);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "iptables of {0}: connections to the old listen port {1} not reset: {2}",
                                iface, old, e.getMessage());
                    }
                    return null;
                });
            } catch (IOException e) {
                throw new UncheckedIOException("IptablesProxy of " + iface + ": rules for listen port " + port + " not set: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    /** Forgets {@code p} (it closed itself). */
    void closed(IptablesPeerProxy p) {
        peers.remove(p);
    }

    /**
     * Closes the peers' proxies, removes the chains and the jumps to them (every family the
     * tools have), deletes the connections translated through the ICE ports, closes the
     * muxes and stops the worker. Idempotent.
     */
    @Override
    public void close() {
        closing = true;
        if (!peers.close()) {
            return;
        }
        try {
            // uninterruptibly: a close from an interrupted thread still removes the rules
            get(worker.submit(() -> {
                pairs.clear();
                quietlyRemove(runner, tools, Family.V4, iface);
                if (tools.hasIpv6()) {
                    quietlyRemove(runner, tools, Family.V6, iface);
                }
                try {
                    resetConnections(listenPort);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "iptables of {0}: connections not reset: {1}", iface, e.getMessage());
                }
                return null;
            }), true);
        } catch (IOException | RejectedExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "IptablesProxy of {0}: close: {1}", iface, e.getMessage());
        } finally {
            muxes.values().forEach(UdpMux::close);
            worker.shutdown();
            try {
                worker.awaitTermination(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "IptablesProxy[" + iface + " port " + listenPort + ", ICE on " + iceAddresses() + "]";
    }
}
