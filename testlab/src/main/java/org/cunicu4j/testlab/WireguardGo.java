package org.cunicu4j.testlab;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wireguard-go running in a lab host: {@code wireguard-go -f <if>} in the host's namespace,
 * started in the foreground and ready once its UAPI socket exists.
 *
 * <p>The UAPI socket {@code /var/run/wireguard/<if>.sock} lives in the one filesystem all
 * namespaces share, so interface names must be unique machine-wide: {@link #newInterfaceName()}
 * makes {@code wgl<pid>n<counter>} (at most 15 characters; pid is this JVM's). The lab stops
 * the process by PID on close and then removes the socket; {@link #sweepStaleSockets()}
 * removes sockets of our prefix left by dead JVMs. Thread-safe.
 */
public final class WireguardGo implements AutoCloseable {
    /** Where wireguard-go and wg put and find UAPI sockets. */
    public static final Path SOCKET_DIR = Path.of("/var/run/wireguard");
    /** Prefix of every interface name made here. */
    public static final String PREFIX = "wgl";

    private static final Pattern OURS = Pattern.compile(PREFIX + "(\\d+)n\\d+\\.sock");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final Host host;
    private final String ifname;
    private final LabProcess process;

    private WireguardGo(Host host, String ifname, LabProcess process) {
        this.host = host;
        this.ifname = ifname;
        this.process = process;
    }

    /** Starts wireguard-go in {@code host} on a fresh machine-unique interface name. */
    public static WireguardGo start(Host host) {
        return start(host, newInterfaceName());
    }

    /**
     * Starts wireguard-go in {@code host} on {@code ifname} and waits (10 s at most) until its
     * UAPI socket exists. The name must be unique machine-wide; prefer {@link #start(Host)}.
     */
    public static WireguardGo start(Host host, String ifname) {
        if (ifname.length() > 15) {
            throw new IllegalArgumentException("interface name longer than 15 characters: " + ifname);
        }
        Path socket = socketOf(ifname);
        host.lab().onClose(() -> deleteQuietly(socket));
        LabProcess p = host.start("wireguard-go", "-f", ifname);
        WireguardGo wg = new WireguardGo(host, ifname, p);
        Waiter.until("wireguard-go creates " + socket, STARTUP, () -> {
            if (!p.isAlive()) {
                throw new LabException("wireguard-go " + ifname + " in " + host + " exited:\n" + p.output());
            }
            return Files.exists(socket);
        });
        return wg;
    }

    /** A fresh interface name, unique among all JVMs on this machine: {@code wgl<pid>n<counter>}. */
    public static String newInterfaceName() {
        String name = PREFIX + Lab.ownerPid() + "n" + COUNTER.incrementAndGet();
        if (name.length() > 15) {
            throw new LabException("interface counter exhausted: " + name + " is longer than 15 characters");
        }
        return name;
    }

    /** The UAPI socket path of interface {@code ifname}. */
    public static Path socketOf(String ifname) {
        return SOCKET_DIR.resolve(ifname + ".sock");
    }

    public Host host() {
        return host;
    }

    public String interfaceName() {
        return ifname;
    }

    public Path socket() {
        return socketOf(ifname);
    }

    public LabProcess process() {
        return process;
    }

    /** Runs {@code wg args...} in this host; throws if it exits non-zero. */
    public Exec.Result wg(String... args) {
        return wg(host, args);
    }

    /** Runs {@code wg args...} in {@code host}; throws if it exits non-zero. */
    public static Exec.Result wg(Host host, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "wg";
        System.arraycopy(args, 0, command, 1, args.length);
        return host.run(command);
    }

    /** Stops wireguard-go by PID and removes its socket. Idempotent; the lab also does it on close. */
    @Override
    public void close() {
        process.close();
        deleteQuietly(socket());
    }

    /**
     * Removes sockets named like ours whose owning JVM is gone and that nobody serves. A
     * socket that still accepts a connection is left alone, whoever owns it.
     */
    static void sweepStaleSockets() {
        if (!Files.isDirectory(SOCKET_DIR)) {
            return;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(SOCKET_DIR, PREFIX + "*.sock")) {
            for (Path socket : dir) {
                Matcher m = OURS.matcher(socket.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long owner = Long.parseLong(m.group(1));
                if (owner != Lab.ownerPid() && ProcessHandle.of(owner).isEmpty() && !served(socket)) {
                    deleteQuietly(socket);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // best effort: a stale socket only blocks reuse of its own name
        }
    }

    private static boolean served(Path socket) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
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

    @Override
    public String toString() {
        return "wireguard-go " + ifname + " in " + host + " (pid " + process.pid() + ")";
    }
}
