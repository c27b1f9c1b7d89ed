package org.cunicu4j.testlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A topology of network namespaces for one test: hosts, links between them, switches,
 * NAT routers, a public internet segment, and the processes running in them.
 *
 * <p>Every namespace is named {@code c4j-<pid>-<lab>-<host>}, where pid is this JVM's;
 * switches and the bridges in them live in namespaces of their own, so deleting the
 * namespaces removes every interface the lab made. Cleanup is guaranteed three ways:
 * {@link #close()}; a JVM shutdown hook for labs left open; and, when a lab opens, a sweep
 * of namespaces (and wireguard-go sockets) whose creating JVM is gone (a run that was killed).
 *
 * <p>Addresses by convention: the public internet is {@value #INTERNET_CIDR} (the
 * benchmark range, never routed outside the lab), private LANs use 10.x and 192.168.x.
 * All methods are thread-safe; a lab is meant for one test.
 */
public final class Lab implements AutoCloseable {
    /** Prefix of every namespace a lab makes. */
    public static final String PREFIX = "c4j-";

    /** The public internet's range, RFC 2544's benchmark network. */
    public static final String INTERNET_CIDR = "198.18.0.0/15";

    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger LABS = new AtomicInteger();
    private static final List<Lab> OPEN = Collections.synchronizedList(new ArrayList<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<Lab> left;
            synchronized (OPEN) {
                left = new ArrayList<>(OPEN);
            }
            left.forEach(Lab::close);
        }, "lab-cleanup"));
    }

    private final String id;
    private final Path workDir;
    private final List<Host> hosts = new ArrayList<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private final List<Runnable> closeActions = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private Switch internet;
    private boolean closed;

    private Lab(String id, Path workDir) {
        this.id = id;
        this.workDir = workDir;
    }

    /** Opens a new, empty lab; first sweeps namespaces and wireguard-go sockets left by dead JVMs. */
    public static Lab open() {
        sweepLeftovers();
        WireguardGo.sweepStaleSockets();
        String id = PREFIX + PID + "-" + LABS.incrementAndGet();
        Path dir;
        try {
            dir = Files.createTempDirectory(id + "-");
        } catch (IOException e) {
            throw new LabException("cannot create a work directory for " + id, e);
        }
        Lab lab = new Lab(id, dir);
        OPEN.add(lab);
        return lab;
    }

    /** This lab's prefix, shared by all its namespace names. */
    public String id() {
        return id;
    }

    /** A directory for this lab's files (configs, logs); removed on close. */
    public Path workDir() {
        return workDir;
    }

    /** The process id every name this JVM's labs make carries. */
    public static long ownerPid() {
        return PID;
    }

    /** Creates a host: a network namespace with {@code lo} up. Names are 1-12 of [a-z0-9]. */
    public Host host(String name) {
        checkName(name);
        return namespace(name);
    }

    /** Creates a switch: a bridge in a namespace of its own. Names as for hosts. */
    public Switch switchNamed(String name) {
        checkName(name);
        return newSwitch(name);
    }

    /**
     * Connects {@code host} to {@code sw} by a veth whose switch end is a bridge port, and
     * gives the host end the addresses (CIDR; none for a bare link). Up when this returns.
     */
    public Link attach(Host host, Switch sw, String... cidrs) {
        checkOpen();
        Host swNs = sw.namespace();
        String ifHost = host.nextInterfaceName();
        String port = swNs.nextInterfaceName();
        Exec.run("ip", "link", "add", ifHost, "netns", host.netns(), "type", "veth",
                "peer", "name", port, "netns", swNs.netns()).orThrow();
        swNs.run("ip", "link", "set", port, "master", Switch.BRIDGE, "up");
        Link.configure(host, ifHost, cidrs);
        return new Link(host, ifHost, swNs, port);
    }

    /**
     * The public internet segment: a switch (made on first use, named {@code internet})
     * whose hosts have addresses in {@value #INTERNET_CIDR}.
     */
    public synchronized Switch internet() {
        if (internet == null) {
            internet = switchNamed("internet");
        }
        return internet;
    }

    /** Creates a host on the {@link #internet()} with {@code cidr}, e.g. {@code 198.18.0.10/15}. */
    public Host publicHost(String name, String cidr) {
        Host h = host(name);
        attach(h, internet(), cidr);
        return h;
    }

    /**
     * Creates a NAT router: host {@code name} with an outside interface on {@code upstream}
     * ({@code outsideCidr}, e.g. {@code 198.18.1.1/15}), an inside LAN switch
     * {@code <name>-lan} ({@code insideCidr}, e.g. {@code 10.1.0.1/24}), forwarding on and
     * masquerading on the outside interface with the mapping of {@code type}. Add private
     * hosts with {@link NatRouter#privateHost}.
     */
    public NatRouter natRouter(String name, NatType type, String insideCidr, String outsideCidr, Switch upstream) {
        Host router = host(name);
        Link outside = attach(router, upstream, outsideCidr);
        Switch lan = newSwitch(name + "-lan");
        Link inside = attach(router, lan, insideCidr);
        NatRouter nat = new NatRouter(router, lan, outside, outsideCidr, inside, insideCidr, type);
        nat.configure();
        return nat;
    }

    private static void checkName(String name) {
        if (!name.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("host and switch names must be 1-12 of [a-z0-9], got '" + name + "'");
        }
    }

    private Switch newSwitch(String name) {
        Host ns = namespace(name);
        ns.run("ip", "link", "add", Switch.BRIDGE, "type", "bridge");
        ns.run("ip", "link", "set", Switch.BRIDGE, "up");
        return new Switch(name, ns);
    }

    private Host namespace(String name) {
        String netns = id + "-" + name;
        synchronized (this) {
            checkOpen();
            if (!names.add(name)) {
                throw new IllegalArgumentException("lab " + id + " already has a host or switch named " + name);
            }
        }
        Exec.run("ip", "netns", "add", netns).orThrow();
        Host host = new Host(this, name, netns);
        synchronized (this) {
            hosts.add(host);
        }
        host.run("ip", "link", "set", "lo", "up");
        return host;
    }

    /** Runs {@code action} on close, after the processes stopped and before the namespaces go. */
    synchronized void onClose(Runnable action) {
        checkOpen();
        closeActions.add(action);
    }

    /**
     * Connects two hosts with a veth pair and gives each end an address (CIDR notation,
     * IPv4 or IPv6; null for none). Both ends are up when this returns.
     */
    public Link link(Host a, String cidrA, Host b, String cidrB) {
        checkOpen();
        String ifA = a.nextInterfaceName();
        String ifB = b.nextInterfaceName();
        Exec.run("ip", "link", "add", ifA, "netns", a.netns(), "type", "veth",
                "peer", "name", ifB, "netns", b.netns()).orThrow();
        Link.configure(a, ifA, cidrA);
        Link.configure(b, ifB, cidrB);
        return new Link(a, ifA, b, ifB);
    }

    synchronized LabProcess start(Host host, List<String> command) {
        checkOpen();
        Path log = workDir.resolve(host.name() + "-" + processes.size() + "-"
                + Path.of(command.get(4)).getFileName() + ".log");
        LabProcess p = new LabProcess(command, log);
        processes.add(p);
        return p;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + id + " is closed");
        }
    }

    /** Stops every process (by PID), deletes every namespace, removes the work directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LabProcess p : processes.reversed()) {
            p.close();
        }
        for (Runnable action : closeActions.reversed()) {
            try {
                action.run();
            } catch (RuntimeException e) {
                // best effort: the namespaces must still go
            }
        }
        for (Host h : hosts.reversed()) {
            deleteNetns(h.netns());
        }
        OPEN.remove(this);
        deleteTree(workDir);
    }

    /** Kills what still runs in a namespace, then deletes it. */
    static void deleteNetns(String netns) {
        Exec.Result pids = Exec.run("ip", "netns", "pids", netns);
        List<ProcessHandle> killed = new ArrayList<>();
        if (pids.ok()) {
            for (String line : pids.stdout().split("\\s+")) {
                if (!line.isBlank()) {
                    ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(p -> {
                        p.destroyForcibly();
                        killed.add(p);
                    });
                }
            }
        }
        for (ProcessHandle p : killed) {
            try {
                p.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // gone or stuck: the namespace is deleted anyway
            }
        }
        Exec.run("ip", "netns", "del", netns);
    }

    /** Deletes namespaces with our prefix whose creating JVM no longer runs. */
    static void sweepLeftovers() {
        Exec.Result list = Exec.run("ip", "netns", "list");
        if (!list.ok()) {
            return;
        }
        for (String line : list.stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = name.substring(PREFIX.length()).split("-");
            long owner;
            try {
                owner = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (owner != PID && ProcessHandle.of(owner).isEmpty()) {
                deleteNetns(name);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind is harmless
        }
    }
}
