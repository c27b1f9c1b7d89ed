package org.cunicu4j.testlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A topology of network namespaces for one test: hosts, links between them, and the
 * processes running in them.
 *
 * <p>Every namespace is named {@code c4j-<pid>-<lab>-<host>}, where pid is this JVM's.
 * Cleanup is guaranteed three ways: {@link #close()}; a JVM shutdown hook for labs left
 * open; and, when a lab opens, a sweep of namespaces whose creating JVM is gone (a run
 * that was killed).
 */
public final class Lab implements AutoCloseable {
    /** Prefix of every namespace a lab makes. */
    public static final String PREFIX = "c4j-";

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
    private boolean closed;

    private Lab(String id, Path workDir) {
        this.id = id;
        this.workDir = workDir;
    }

    /** Opens a new, empty lab; first sweeps namespaces left by dead JVMs. */
    public static Lab open() {
        sweepLeftovers();
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

    /** Creates a host: a network namespace with {@code lo} up. */
    public synchronized Host host(String name) {
        checkOpen();
        if (!name.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("host name must be 1-12 of [a-z0-9], got '" + name + "'");
        }
        String netns = id + "-" + name;
        Exec.run("ip", "netns", "add", netns).orThrow();
        Host host = new Host(this, name, netns);
        hosts.add(host);
        host.run("ip", "link", "set", "lo", "up");
        return host;
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
        Link link = new Link(a, ifA, b, ifB);
        link.configure(a, ifA, cidrA);
        link.configure(b, ifB, cidrB);
        return link;
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
        for (Host h : hosts.reversed()) {
            deleteNetns(h.netns());
        }
        OPEN.remove(this);
        deleteTree(workDir);
    }

    /** Kills what still runs in a namespace, then deletes it. */
    static void deleteNetns(String netns) {
        Exec.Result pids = Exec.run("ip", "netns", "pids", netns);
        if (pids.ok()) {
            for (String line : pids.stdout().split("\\s+")) {
                if (!line.isBlank()) {
                    ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
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
