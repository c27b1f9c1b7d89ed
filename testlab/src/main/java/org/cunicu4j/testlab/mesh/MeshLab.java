package org.cunicu4j.testlab.mesh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.LabException;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.NatRouter;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.PathBlock;
import org.cunicu4j.testlab.WireguardGo;

/**
 * A three-peer cunicu4j mesh in a {@link Lab}: the {@link Scenario}'s namespaces and NATs, a
 * {@code server} host on the internet side (198.18.0.10) running coturn (STUN/TURN on 3478,
 * with a default route, since coturn stops relaying for an allocation after ENETUNREACH) and
 * our signaling server ({@code cunicu4j signal} on 8080), and a {@code cunicu4j daemon}
 * process per peer, each on a YAML config of its own (mode 0600) naming the other two peers.
 * The CLI runs as a process through the {@link Launcher} given, so testlab depends on none of
 * our modules.
 *
 * <pre>
 * try (MeshLab mesh = MeshLab.builder(Launcher.currentClassPath()).scenario(Scenario.DEMO).build()) {
 *     mesh.start();
 *     mesh.awaitConnected(Duration.ofSeconds(60));
 *     assertThat(mesh.awaitPings(Duration.ofSeconds(10)).allOk()).isTrue();
 * }
 * </pre>
 *
 * <p>{@link #build} makes the network, keys and configs and starts nothing; {@link #start}
 * starts the servers, the devices (wireguard-go) and the daemons. {@link #close()} stops every
 * process by PID (daemons first, in parallel), removes the UAPI sockets of the interface names
 * it made and closes the lab (namespaces, work directory); so does a shutdown hook for meshes
 * left open. Daemon logs are files in the lab's work directory ({@link MeshPeer#daemonLog()},
 * copied to {@link Builder#keepLogsIn} on close when set) and are part of every timeout's
 * message. Thread-safe; the progress listener is called on the calling thread.
 */
public final class MeshLab implements AutoCloseable {
    /** The server host's address on the internet. */
    public static final String SERVER_IP = "198.18.0.10";
    /** A neighbour that never answers: the default route of the server and the routers. */
    public static final String BLACKHOLE_GATEWAY = "198.18.0.254";
    /** The signaling server's port. */
    public static final int SIGNALING_PORT = 8080;
    /** coturn's STUN/TURN port. */
    public static final int TURN_PORT = Coturn.DEFAULT_PORT;
    /** Every peer's WireGuard port. */
    public static final int WIREGUARD_PORT = 51820;
    /** The TURN user in every config. */
    public static final String TURN_USER = "mesh";
    /** The peers' names, in order. */
    public static final List<String> NAMES = List.of("alice", "bob", "carol");
    /** What a daemon logs once its interfaces are up and its control socket answers. */
    public static final String READY = "cunicu4j daemon ready";
    /** The option of {@code cunicu4j status} naming the control socket. */
    public static final String STATUS_SOCKET_OPTION = "--socket";

    private static final String[] LANS = {"10.1.0", "192.168.2", "172.16.3"};
    private static final String IF_PREFIX = "c4j";
    private static final Pattern OUR_SOCKET = Pattern.compile(IF_PREFIX + "(\\d+)m\\d+[a-z]\\.sock");
    private static final Pattern RTT = Pattern.compile("time[=<]([0-9.]+) ?ms");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration SERVER_STARTUP = Duration.ofSeconds(60);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(300);
    private static final int FALLBACK_POLL_SECONDS = 15;
    private static final List<MeshLab> OPEN = Collections.synchronizedList(new ArrayList<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<MeshLab> left;
            synchronized (OPEN) {
                left = new ArrayList<>(OPEN);
            }
            left.forEach(MeshLab::close);
        }, "mesh-lab-cleanup"));
    }

    private final Lab lab;
    private final Scenario scenario;
    private final DeviceKind device;
    private final Launcher launcher;
    private final Host server;
    private final List<MeshPeer> peers;
    private final List<PathBlock> blocks;
    private final Consumer<String> progress;
    private final List<String> daemonOptions;
    private final Path keepLogs;
    private final String turnPassword;
    private final List<LabProcess> signalingRuns = new ArrayList<>();
    private Coturn coturn;
    private boolean closed;

    private MeshLab(Builder b, Lab lab, Host server, List<MeshPeer> peers, List<PathBlock> blocks, String turnPassword) {
        this.lab = lab;
        this.scenario = b.scenario;
        this.device = b.device;
        this.launcher = b.launcher;
        this.progress = b.progress;
        this.daemonOptions = List.copyOf(b.daemonOptions);
        this.keepLogs = b.keepLogs;
        this.server = server;
        this.peers = List.copyOf(peers);
        this.blocks = List.copyOf(blocks);
        this.turnPassword = turnPassword;
    }

    /** A builder for a mesh whose CLI runs through {@code launcher}. */
    public static Builder builder(Launcher launcher) {
        return new Builder(launcher);
    }

    public Lab lab() {
        return lab;
    }

    public Scenario scenario() {
        return scenario;
    }

    public DeviceKind device() {
        return device;
    }

    public Launcher launcher() {
        return launcher;
    }

    /** The server host (signaling, coturn). */
    public Host server() {
        return server;
    }

    /** alice, bob, carol. */
    public List<MeshPeer> peers() {
        return peers;
    }

    /** The peer named {@code name}. */
    public MeshPeer peer(String name) {
        return peers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no peer " + name + " in " + NAMES));
    }

    /** The UDP blocks in force (scenario {@link Scenario#UDP_BLOCKED}), else empty. */
    public List<PathBlock> blocks() {
        return blocks;
    }

    /** coturn, once {@link #startServers()} ran; else null. */
    public synchronized Coturn coturn() {
        return coturn;
    }

    /** The signaling backend URL every config names. */
    public static String signalingUrl() {
        return "grpc://" + SERVER_IP + ":" + SIGNALING_PORT + "?insecure=true";
    }

    /** The current signaling server process, or null before {@link #startServers()}. */
    public synchronized LabProcess signaling() {
        return signalingRuns.isEmpty() ? null : signalingRuns.getLast();
    }

    // ---------------------------------------------------------------- starting

    /** Starts the servers, the devices (for wireguard-go) and a daemon per peer. */
    public void start() {
        startServers();
        startDevices();
        startDaemons();
    }

    /** Starts coturn and the signaling server on the server host; returns once both listen. */
    public void startServers() {
        startCoturn();
        startSignaling();
    }

    /** Starts coturn (long-term user {@value #TURN_USER}) on the server host; returns once it listens. */
    public void startCoturn() {
        Coturn c = Coturn.builder(server).listen(SERVER_IP).port(TURN_PORT).realm("cunicu4j")
                .user(TURN_USER, turnPassword).startupTimeout(SERVER_STARTUP).start();
        synchronized (this) {
            coturn = c;
        }
        progress.accept("coturn up (stun:" + SERVER_IP + ":" + TURN_PORT + ", turn:" + SERVER_IP + ":" + TURN_PORT
                + "?transport=udp)");
    }

    /** Starts {@code cunicu4j signal} on the server host; returns once it prints that it listens. */
    public void startSignaling() {
        LabProcess p = server.start(launcher.command("signal", "--listen", SERVER_IP + ":" + SIGNALING_PORT)
                .toArray(String[]::new));
        synchronized (this) {
            signalingRuns.add(p);
        }
        p.awaitOutput("listening on", SERVER_STARTUP);
        progress.accept("signaling server up (" + signalingUrl() + ")");
    }

    /**
     * For {@link DeviceKind#WIREGUARD_GO}: starts wireguard-go in each peer, sets its private
     * key and port with {@code wg set} (the key through stdin, never on a command line) and
     * gives it the tunnel addresses. Nothing for our own device (the daemon creates it).
     */
    public void startDevices() {
        if (device != DeviceKind.WIREGUARD_GO) {
            return;
        }
        for (MeshPeer p : peers) {
            WireguardGo wg = WireguardGo.start(p.host(), p.ifname());
            p.wireguardGo(wg);
            Exec.run(Exec.DEFAULT_TIMEOUT, inNetns(p.host(), "wg", "set", p.ifname(), "private-key", "/dev/stdin",
                    "listen-port", Integer.toString(p.listenPort())), Map.of(), p.keys().privateKey() + "\n")
                    .orThrow();
            p.host().run("ip", "address", "add", p.tunnelIp() + "/24", "dev", p.ifname());
            p.host().run("ip", "address", "add", p.tunnelIp6() + "/64", "dev", p.ifname(), "nodad");
            p.host().run("ip", "link", "set", p.ifname(), "up");
            progress.accept(p.name() + ": wireguard-go " + p.ifname() + " up");
        }
    }

    /** Starts a daemon for every peer (returns at once; see {@link #awaitConnected}). */
    public void startDaemons() {
        peers.forEach(this::startDaemon);
    }

    /** Starts a daemon for {@code p}: {@code cunicu4j daemon -c CONFIG [-o k=v ...]} in its namespace. */
    public void startDaemon(MeshPeer p) {
        List<String> args = new ArrayList<>(List.of("daemon", "-c", p.configFile().toString()));
        for (String o : daemonOptions) {
            args.add("-o");
            args.add(o);
        }
        LabProcess proc = p.host().start(launcher.command(args).toArray(String[]::new));
        p.addRun(proc);
        progress.accept(p.name() + ": daemon started (pid " + proc.pid() + ", " + p.ifname() + ", "
                + p.tunnelIp() + ")");
    }

    // ---------------------------------------------------------------- observing

    /**
     * Waits until every peer sees both others CONNECTED; reports each daemon once it is
     * ready and each pair once both its ends are connected ({@code "alice ↔ bob connected
     * (srflx ↔ srflx)"}). Follows each daemon's events with a {@code cunicu4j monitor --json}
     * process (started once the daemon is ready, again after a restart), asks
     * {@code status --json} of every peer when a monitor was restarted, every
     * 15 s, and to confirm: it returns only when a status round
     * shows every session CONNECTED. Fails fast when a daemon exits.
     *
     * @throws AssertionError after {@code timeout}, with every peer's status and daemon log
     * @throws LabException when a daemon exits, with its log
     */
    public void awaitConnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> announced = new HashSet<>();
        Map<MeshPeer, List<SessionView>> polled = Map.of();
        long lastPoll = System.nanoTime();
        boolean pollNow = false;
        while (true) {
            for (MeshPeer p : peers) {
                LabProcess d = p.daemon();
                if (d == null || !d.isAlive()) {
                    throw new LabException(p.name() + "'s daemon " + (d == null ? "never started" : "exited")
                            + ":\n" + p.daemonLog());
                }
                if (!d.output().contains(READY)) {
                    continue;
                }
                if (announced.add(p.name() + "@" + d.pid())) {
                    progress.accept(p.name() + ": daemon ready (" + p.ifname() + " up, control socket answers)");
                }
                MonitorFeed m = p.monitor();
                if (m == null || m.daemonRun() != d || (!m.alive() && System.nanoTime() - lastPoll > POLL.toNanos() * 10)) {
                    if (m != null) {
                        m.process().close();
                        pollNow = true; // a restarted daemon or monitor: the events so far are lost
                    }
                    p.monitor(new MonitorFeed(p.host().start(launcher.quick()
                            .command("monitor", "--json", STATUS_SOCKET_OPTION, p.socket().toString())
                            .toArray(String[]::new)), d));
                }
            }
            boolean fresh = false;
            for (MeshPeer p : peers) {
                MonitorFeed m = p.monitor();
                if (m != null && m.refresh()) {
                    fresh = true;
                }
            }
            if (pollNow || System.nanoTime() - lastPoll > Duration.ofSeconds(FALLBACK_POLL_SECONDS).toNanos()) {
                polled = statusesQuietly();
                lastPoll = System.nanoTime();
                pollNow = false;
            }
            boolean all = true;
            for (int i = 0; i < peers.size(); i++) {
                for (int j = i + 1; j < peers.size(); j++) {
                    MeshPeer a = peers.get(i);
                    MeshPeer b = peers.get(j);
                    String ab = connectedPair(a, b, polled);
                    String ba = connectedPair(b, a, polled);
                    if (ab != null && ba != null) {
                        if (announced.add(a.name() + b.name())) {
                            progress.accept(a.name() + " ↔ " + b.name() + " connected (" + ab + ")");
                        }
                    } else {
                        all = false;
                        announced.remove(a.name() + b.name());
                    }
                }
            }
            if (all) {
                if (allConnected(polled)) {
                    return;
                }
                polled = statusesQuietly(); // the events say so: confirm
                lastPoll = System.nanoTime();
                if (allConnected(polled)) {
                    return;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until every peer sees the others"
                        + " CONNECTED\n" + diagnostics());
            }
            if (!fresh) {
                pause(POLL);
            }
        }
    }

    /**
     * The pair types when {@code from} has its session with {@code to} CONNECTED, by its
     * monitor's events or else by the last status round; null when not connected.
     */
    private static String connectedPair(MeshPeer from, MeshPeer to, Map<MeshPeer, List<SessionView>> polled) {
        MonitorFeed m = from.monitor();
        String state = m == null ? null : m.state(to.publicKey());
        SessionView v = session(polled.get(from), to);
        if (state != null) {
            if (!"CONNECTED".equals(state)) {
                return null;
            }
            String pair = m.pair(to.publicKey());
            return pair != null ? pair : v != null && v.localType() != null ? v.pairTypes() : "pair unknown";
        }
        return v != null && v.connected() ? v.pairTypes() : null;
    }

    private boolean allConnected(Map<MeshPeer, List<SessionView>> polled) {
        for (MeshPeer a : peers) {
            for (MeshPeer b : peers) {
                if (a != b) {
                    SessionView v = session(polled.get(a), b);
                    if (v == null || !v.connected()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** What {@code cunicu4j status --json} prints for {@code p}; throws when the command fails. */
    public String statusJson(MeshPeer p) {
        Exec.Result r = Exec.run(STATUS_TIMEOUT,
                launcher.quick().command("status", "--json", STATUS_SOCKET_OPTION, p.socket().toString()));
        if (!r.ok()) {
            throw new LabException("cunicu4j status --json for " + p.name() + ": exit " + r.exitCode() + ": "
                    + r.stderr().strip());
        }
        return r.stdout();
    }

    /** What {@code cunicu4j status} prints for {@code p} (the table); throws when the command fails. */
    public String statusText(MeshPeer p) {
        Exec.Result r = Exec.run(STATUS_TIMEOUT,
                launcher.quick().command("status", STATUS_SOCKET_OPTION, p.socket().toString()));
        if (!r.ok()) {
            throw new LabException("cunicu4j status for " + p.name() + ": exit " + r.exitCode() + ": "
                    + r.stderr().strip());
        }
        return r.stdout();
    }

    /** {@code p}'s peer sessions from {@code status --json}. */
    public List<SessionView> sessions(MeshPeer p) {
        return SessionView.parse(statusJson(p));
    }

    /** {@code from}'s session with {@code to}, or null when it has none. */
    public SessionView session(MeshPeer from, MeshPeer to) {
        return session(sessions(from), to);
    }

    private static SessionView session(List<SessionView> views, MeshPeer to) {
        if (views == null) {
            return null;
        }
        for (SessionView v : views) {
            if (to.publicKey().equals(v.publicKey())) {
                return v;
            }
        }
        for (SessionView v : views) {
            if (v.publicKey() == null && to.name().equals(v.name())) {
                return v;
            }
        }
        return null;
    }

    /** Each peer's sessions, or no entry for a peer whose status cannot be read (yet); in parallel. */
    private Map<MeshPeer, List<SessionView>> statusesQuietly() {
        Map<MeshPeer, List<SessionView>> out = new HashMap<>();
        List<Callable<List<SessionView>>> tasks = new ArrayList<>();
        for (MeshPeer p : peers) {
            tasks.add(() -> Files.exists(p.socket()) ? sessions(p) : null);
        }
        List<Object> results = parallel(tasks);
        for (int i = 0; i < peers.size(); i++) {
            if (results.get(i) instanceof List<?> l) {
                @SuppressWarnings("unchecked")
                List<SessionView> views = (List<SessionView>) l;
                out.put(peers.get(i), views);
            }
        }
        return out;
    }

    /**
     * Pings every peer's IPv4 tunnel address from every other peer's namespace ({@code ping
     * -c 1 -W 1}, all pairs in parallel).
     */
    public PingMatrix pingMatrix() {
        return pingMatrix(false);
    }

    /** As {@link #pingMatrix()}, over the IPv6 tunnel addresses when {@code ipv6}. */
    public PingMatrix pingMatrix(boolean ipv6) {
        int n = peers.size();
        List<Callable<Double>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                MeshPeer from = peers.get(i);
                MeshPeer to = peers.get(j);
                tasks.add(i == j ? () -> 0.0 : () -> ping(from, ipv6 ? to.tunnelIp6() : to.tunnelIp()));
            }
        }
        List<Object> results = parallel(tasks);
        double[][] rtt = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                rtt[i][j] = results.get(i * n + j) instanceof Double d ? d : -1;
            }
        }
        return new PingMatrix(NAMES.subList(0, n), rtt);
    }

    /**
     * Repeats {@link #pingMatrix()} until every pair pings (the first packets may start
     * WireGuard handshakes) or {@code timeout} passes; returns the last matrix either way.
     */
    public PingMatrix awaitPings(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PingMatrix m = pingMatrix();
        while (!m.allOk() && System.nanoTime() - deadline < 0) {
            m = pingMatrix();
        }
        return m;
    }

    private static double ping(MeshPeer from, String ip) {
        Exec.Result r = from.host().exec("ping", "-n", "-c", "1", "-W", "1", ip);
        if (!r.ok()) {
            return -1;
        }
        Matcher m = RTT.matcher(r.stdout());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** Every peer's status (or why there is none) and daemon log, and the signaling server's log. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (MeshPeer p : peers) {
            sb.append("===== ").append(p).append('\n');
            try {
                sb.append(statusJson(p)).append('\n');
            } catch (RuntimeException e) {
                sb.append("(no status: ").append(e.getMessage()).append(")\n");
            }
            sb.append(tail(p.daemonLog(), 80)).append('\n');
        }
        LabProcess s = signaling();
        if (s != null) {
            sb.append("===== signaling server\n").append(tail(s.output(), 30)).append('\n');
        }
        return sb.toString();
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        if (all.length <= lines) {
            return text;
        }
        return "... (" + (all.length - lines) + " lines before)\n"
                + String.join("\n", java.util.Arrays.copyOfRange(all, all.length - lines, all.length));
    }

    // ---------------------------------------------------------------- disturbing

    /**
     * Sends {@code signal} ({@code TERM}, {@code KILL}, {@code INT}, ...) to {@code p}'s daemon;
     * for TERM, INT and KILL waits (10 s at most) until it exited.
     */
    public void killDaemon(MeshPeer p, String signal) {
        LabProcess d = p.daemon();
        if (d == null || !d.isAlive()) {
            return;
        }
        Exec.run("kill", "-s", signal, Long.toString(d.pid())).orThrow();
        if (Set.of("TERM", "KILL", "INT", "SIGTERM", "SIGKILL", "SIGINT").contains(signal)) {
            org.cunicu4j.testlab.Waiter.until(p.name() + "'s daemon exits after SIG" + signal, Duration.ofSeconds(10),
                    () -> !d.isAlive());
        }
        progress.accept(p.name() + ": daemon sent SIG" + signal.replaceFirst("^SIG", ""));
    }

    /** Stops {@code p}'s daemon if it runs (SIGTERM, then SIGKILL) and starts a new one. */
    public void restartDaemon(MeshPeer p) {
        LabProcess d = p.daemon();
        if (d != null) {
            d.close();
        }
        startDaemon(p);
    }

    /** Stops the signaling server (SIGTERM, then SIGKILL) and starts a new one; returns once it listens. */
    public void restartSignaling() {
        LabProcess s = signaling();
        if (s != null) {
            s.close();
        }
        startSignaling();
    }

    // ---------------------------------------------------------------- closing

    /**
     * Stops the daemons (in parallel), wireguard-go and the servers by PID, copies the logs
     * to {@link Builder#keepLogsIn} when set, removes the UAPI sockets of this mesh's
     * interface names and closes the lab. Idempotent; a concurrent call returns when the first is done.
     */
    @Override
    public synchronized void close() {
        // synchronized throughout: a second caller (a shutdown hook) returns only once it is all gone
        if (closed) {
            return;
        }
        closed = true;
        try {
            List<Callable<Void>> stops = new ArrayList<>();
            for (MeshPeer p : peers) {
                MonitorFeed m = p.monitor();
                if (m != null) {
                    m.process().close();
                }
            }
            for (MeshPeer p : peers) {
                for (LabProcess d : p.daemonRuns()) {
                    stops.add(() -> {
                        d.close();
                        return null;
                    });
                }
            }
            parallel(stops);
            keepLogs();
            for (MeshPeer p : peers) {
                WireguardGo wg = p.wireguardGo();
                if (wg != null) {
                    wg.close();
                }
                deleteQuietly(WireguardGo.socketOf(p.ifname()));
            }
        } finally {
            lab.close();
            OPEN.remove(this);
        }
    }

    private void keepLogs() {
        if (keepLogs == null) {
            return;
        }
        try {
            Files.createDirectories(keepLogs);
            for (MeshPeer p : peers) {
                Files.writeString(keepLogs.resolve(p.name() + "-daemon.log"), p.daemonLog());
            }
            LabProcess s = signaling();
            if (s != null) {
                Files.writeString(keepLogs.resolve("signaling.log"), s.output());
            }
            Coturn c = coturn();
            if (c != null && Files.exists(c.logFile())) {
                Files.copy(c.logFile(), keepLogs.resolve("coturn.log"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // best effort: logs are a diagnosis aid
        }
    }

    /** Removes UAPI sockets of names this class makes whose JVM is gone and that nobody serves. */
    static void sweepStaleSockets() {
        Path dir = WireguardGo.SOCKET_DIR;
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(dir, IF_PREFIX + "*.sock")) {
            for (Path s : sockets) {
                Matcher m = OUR_SOCKET.matcher(s.getFileName().toString());
                if (m.matches() && Long.parseLong(m.group(1)) != Lab.ownerPid()
                        && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty() && !served(s)) {
                    deleteQuietly(s);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // best effort: a stale socket only blocks reuse of its own name
        }
    }

    private static boolean served(Path socket) {
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> inNetns(Host h, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", h.netns()));
        full.addAll(List.of(command));
        return full;
    }

    /** Runs the tasks on virtual threads; each result, or the exception it threw, in order. */
    private static <T> List<Object> parallel(List<? extends Callable<? extends T>> tasks) {
        List<Object> out = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<? extends T>> futures = new ArrayList<>();
            for (Callable<? extends T> t : tasks) {
                futures.add(ex.submit(t));
            }
            for (Future<? extends T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    out.add(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LabException("interrupted", e);
                }
            }
        }
        return out;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d); // a polling interval: the condition decides
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "mesh " + scenario + "/" + device + " in " + lab.id();
    }

    // ---------------------------------------------------------------- building

    /** Options of a {@link MeshLab}; {@link #build()} makes the network, keys and configs. Not thread-safe. */
    public static final class Builder {
        private final Launcher launcher;
        private Scenario scenario = Scenario.DEMO;
        private DeviceKind device = DeviceKind.OURS;
        private Consumer<String> progress = s -> { };
        private final Map<String, Object> ice = new LinkedHashMap<>();
        private final List<String> daemonOptions = new ArrayList<>();
        private Path keepLogs;

        private Builder(Launcher launcher) {
            this.launcher = java.util.Objects.requireNonNull(launcher, "launcher");
            // no host candidates from the tunnels themselves (ICE over WireGuard over ICE)
            ice.put("interfaces_exclude", List.of(IF_PREFIX + "*", "wg*"));
        }

        public Builder scenario(Scenario s) {
            this.scenario = s;
            return this;
        }

        public Builder device(DeviceKind d) {
            this.device = d;
            return this;
        }

        /** Called with a line for every step (servers up, daemon started, pair connected). */
        public Builder progress(Consumer<String> listener) {
            this.progress = listener;
            return this;
        }

        /**
         * An extra setting under {@code ice:} in every config, e.g. {@code ("check_interval", "200ms")}, or a
         * list of strings. Default: {@code interfaces_exclude: ["c4j*", "wg*"]} (the mesh's own interfaces).
         */
        public Builder ice(String key, Object value) {
            ice.put(key, value);
            return this;
        }

        /** An override {@code -o key=value} on every daemon's command line. */
        public Builder daemonOption(String key, String value) {
            daemonOptions.add(key + "=" + value);
            return this;
        }

        /** Copy every daemon's, the signaling server's and coturn's log into {@code dir} on close. */
        public Builder keepLogsIn(Path dir) {
            this.keepLogs = dir;
            return this;
        }

        /**
         * Opens a lab and builds the scenario's network, the peers' keys and configs; starts
         * nothing. On failure the lab is closed again.
         */
        public MeshLab build() {
            sweepStaleSockets();
            Lab lab = Lab.open();
            try {
                return build(lab);
            } catch (RuntimeException | Error e) {
                lab.close();
                throw e;
            }
        }

        private MeshLab build(Lab lab) {
            Host server = lab.publicHost("server", SERVER_IP + "/15");
            server.run("ip", "route", "add", "default", "via", BLACKHOLE_GATEWAY);
            List<Host> hosts = new ArrayList<>();
            List<NatRouter> nats = new ArrayList<>();
            for (int i = 0; i < NAMES.size(); i++) {
                NatType type = scenario.natOf(i);
                if (type == null) {
                    hosts.add(lab.publicHost(NAMES.get(i), "198.18.0." + (2 + i) + "/15"));
                    nats.add(null);
                } else {
                    NatRouter nat = lab.natRouter("nat" + letter(i), type, LANS[i] + ".1/24",
                            "198.18." + (i + 1) + ".1/15", lab.internet());
                    nat.host().run("ip", "route", "add", "default", "via", BLACKHOLE_GATEWAY);
                    nats.add(nat);
                    hosts.add(nat.privateHost(NAMES.get(i), LANS[i] + ".2/24"));
                }
            }
            List<PathBlock> blocks = new ArrayList<>();
            if (scenario.udpBlocked()) {
                for (int i = 0; i < nats.size(); i++) {
                    for (int j = 0; j < nats.size(); j++) {
                        if (i != j) {
                            blocks.add(PathBlock.udp(nats.get(i).host(), nats.get(j).outsideIp()));
                        }
                    }
                }
            }
            int k = COUNTER.incrementAndGet();
            List<MeshPeer> peers = new ArrayList<>();
            for (int i = 0; i < NAMES.size(); i++) {
                String ifname = IF_PREFIX + Lab.ownerPid() + "m" + k + letter(i);
                if (ifname.length() > 15) {
                    throw new LabException("interface name " + ifname + " is longer than 15 characters");
                }
                String name = NAMES.get(i);
                peers.add(new MeshPeer(name, i, hosts.get(i), nats.get(i), ifname, "10.99.0." + (i + 1),
                        "fd99::" + (i + 1), MeshKeys.generate(), lab.workDir().resolve(name + ".yaml"),
                        lab.workDir().resolve(name + ".sock"), WIREGUARD_PORT));
            }
            byte[] pw = new byte[12];
            new SecureRandom().nextBytes(pw);
            String turnPassword = HexFormat.of().formatHex(pw);
            for (MeshPeer p : peers) {
                writeSecret(p.configFile(), config(p, peers, turnPassword).yaml());
            }
            MeshLab mesh = new MeshLab(this, lab, server, peers, blocks, turnPassword);
            OPEN.add(mesh);
            progress.accept("lab " + lab.id() + " built: " + describe(scenario, peers));
            return mesh;
        }

        private MeshConfig config(MeshPeer self, List<MeshPeer> all, String turnPassword) {
            List<MeshConfig.Peer> others = new ArrayList<>();
            for (MeshPeer p : all) {
                if (p != self) {
                    others.add(new MeshConfig.Peer(p.name(), p.publicKey(),
                            List.of(p.tunnelIp() + "/32", p.tunnelIp6() + "/128")));
                }
            }
            return new MeshConfig(self.ifname(), device, self.keys().privateKey(), self.listenPort(),
                    List.of(self.tunnelIp() + "/24", self.tunnelIp6() + "/64"), List.of(signalingUrl()),
                    List.of("stun:" + SERVER_IP + ":" + TURN_PORT, "turn:" + SERVER_IP + ":" + TURN_PORT + "?transport=udp"),
                    TURN_USER, turnPassword, ice, self.socket().toString(), others);
        }

        private static String describe(Scenario s, List<MeshPeer> peers) {
            List<String> parts = new ArrayList<>();
            for (MeshPeer p : peers) {
                NatRouter nat = p.nat();
                parts.add(p.name() + " " + p.host().ip()
                        + (nat == null ? "" : " behind " + nat.type().name().toLowerCase(java.util.Locale.ROOT)
                                .replace('_', '-') + " NAT " + nat.outsideIp()));
            }
            return String.join(", ", parts) + (s.udpBlocked() ? "; UDP between the NATs blocked" : "");
        }

        private static char letter(int i) {
            return (char) ('a' + i);
        }
    }

    /** Writes {@code text} to a new file of mode 0600 (created so, never wider for a moment). */
    static void writeSecret(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write " + file, e);
        }
    }
}
