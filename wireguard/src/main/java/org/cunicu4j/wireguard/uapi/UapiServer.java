package org.cunicu4j.wireguard.uapi;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Serves the UAPI protocol for one device on {@code /var/run/wireguard/<ifname>.sock}, so
 * that {@code wg show}, {@code wg set}, {@code wg setconf} and {@code wg showconf} work on
 * whatever {@link WireGuardControl} it fronts.
 *
 * <p>Starting creates the directory (0755) if absent, refuses a directory that is group- or
 * world-writable or owned by someone else than root or us, refuses when a live socket already
 * has the name (another device owns it) and removes a stale one; the socket is bound in a
 * fresh private (0700) directory, set to mode 0600, then hard-linked to its public name
 * (which never replaces a socket that appeared meanwhile), so it is never reachable with
 * looser permissions. Each client is served on a virtual thread, request after request,
 * until it closes, within {@link Limits}: at most 64 clients, 1 MiB and 10 s per request. A request that does not parse is answered {@code errno=-22}
 * and logged with the line at fault; a refused {@code apply} is answered with the errno
 * of its {@link UapiException}, else EINVAL for an {@link IllegalArgumentException} and EIO
 * otherwise; errors are written negated, as wireguard-go does ({@code wg} prints
 * {@code strerror(-errno)}).
 *
 * <p>Owns the socket file and its connections, not the target. Thread-safe;
 * {@link #close()} is idempotent and removes the socket file if it is still ours.
 */
public final class UapiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UapiServer.class.getName());

    private final String name;
    private final Path socket;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final WireGuardControl target;
    private final Thread acceptor;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong acceptFailures = new AtomicLong();
    private final AtomicLong refusedClients = new AtomicLong();
    private final AtomicLong timedOutClients = new AtomicLong();
    private final Limits limits;
    private final Semaphore slots;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;
    private final Object inFlightLock = new Object();
    private int inFlight; // requests read and not yet answered, under inFlightLock

    /** How long {@link #close()} waits for requests being applied to be answered. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    /** Lines of one request at most (a peer with a few allowed IPs takes about eight). */
    static final int MAX_LINES = 1 << 16;

    /**
     * What one server allows its clients, so that no client can exhaust memory or threads:
     * concurrent connections (more are closed at once), bytes of one request (more is
     * answered {@code errno=-22}) and the time a request may take from when the server starts
     * waiting for it (then the client is disconnected: an idle or trickling client does not
     * hold its slot for ever). {@code acceptor} is a seam for tests of accept failures.
     */
    record Limits(int maxClients, long maxRequestBytes, Duration requestTimeout, Acceptor acceptor) {
        /** 64 clients, 1 MiB per request (a few thousand fully configured peers), 10 s per request. */
        static final Limits DEFAULT = new Limits(64, 1 << 20, Duration.ofSeconds(10), ServerSocketChannel::accept);

        Limits {
            if (maxClients < 1 || maxRequestBytes < 1 || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("limits must be positive: " + maxClients + " clients, "
                        + maxRequestBytes + " bytes, " + requestTimeout);
            }
            Objects.requireNonNull(acceptor, "acceptor");
        }
    }

    /** How the accept loop takes the next connection. */
    @FunctionalInterface
    interface Acceptor {
        SocketChannel accept(ServerSocketChannel server) throws IOException;
    }

    private UapiServer(String name, Path socket, Object fileKey, ServerSocketChannel server, WireGuardControl target, Limits limits) {
        this.name = name;
        this.socket = socket;
        this.fileKey = fileKey;
        this.server = server;
        this.target = target;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxClients());
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("uapi-timeout-" + name).factory());
        this.acceptor = Thread.ofVirtual().name("uapi-accept-" + name).unstarted(this::acceptLoop);
    }

    /** Serves {@code target} on {@code /var/run/wireguard/<ifname>.sock}. */
    public static UapiServer start(String ifname, WireGuardControl target) throws IOException {
        return start(ifname, UapiSockets.socketOf(ifname), target);
    }

    /**
     * Serves {@code target} on {@code socket} (its directory is created 0755 if absent).
     *
     * @throws FileAlreadyExistsException when a live socket or a file that is not a socket is there
     */
    public static UapiServer start(String name, Path socket, WireGuardControl target) throws IOException {
        return start(name, socket, target, Limits.DEFAULT);
    }

    static UapiServer start(String name, Path socket, WireGuardControl target, Limits limits) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(limits, "limits");
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                // made concurrently
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        checkDirectory(dir);
        refuseUnlessReplaceable(name, socket); // fail early and clearly; publish() re-checks atomically
        // bound inside a fresh 0700 directory: nobody can connect before the socket is 0600
        PrivateSockets.Published p = PrivateSockets.bind(socket, "." + socket.getFileName() + ".",
                temp -> publish(name, temp, socket));
        try {
            UapiServer s = new UapiServer(name, socket, p.fileKey(), p.channel(), target, limits);
            s.acceptor.start();
            return s;
        } catch (RuntimeException e) {
            p.channel().close();
            throw e;
        }
    }

    /**
     * Gives the bound socket {@code temp} its public name with {@code link(2)}, which never
     * replaces an existing name (a rename would silently take over a live socket that
     * appeared since the first check). A stale socket in the way is removed and the link
     * retried, a few times at most. Unix sockets are found by inode, so a client connecting
     * to the new name reaches the listening socket.
     *
     * @throws FileAlreadyExistsException when a live socket or a file that is not a socket holds the name
     */
    static void publish(String name, Path temp, Path socket) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createLink(socket, temp);
                return;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 3) {
                    throw new FileAlreadyExistsException(socket.toString(), null,
                            "keeps reappearing while a stale socket is replaced; refusing to take the name " + name);
                }
                refuseUnlessReplaceable(name, socket);
            }
        }
    }

    /**
     * Refuses a socket directory others could write to (they could replace or pre-empt our
     * socket): it must not be group- or world-writable and must belong to root or to us.
     */
    static void checkDirectory(Path dir) throws IOException {
        Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(dir + " is writable by its group or by everyone (mode "
                    + PosixFilePermissions.toString(perms) + "); refusing to serve UAPI sockets in it (chmod 755 it)");
        }
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals("root") && !owner.equals(System.getProperty("user.name"))) {
            throw new IOException(dir + " belongs to " + owner + ", neither root nor us; refusing to serve UAPI sockets in it");
        }
    }

    /** Returns when nothing or a stale socket (removed here) holds {@code socket}. */
    private static void refuseUnlessReplaceable(String name, Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!UapiSockets.isSocketFile(socket)) {
            throw new FileAlreadyExistsException(socket.toString(), null, "is not a socket; refusing to replace it");
        }
        if (UapiSockets.isLive(socket)) {
            throw new FileAlreadyExistsException(socket.toString(), null,
                    "a live UAPI socket: another device owns the name " + name);
        }
        Files.deleteIfExists(socket); // stale: its device died without removing it
    }

    /** The socket's path. */
    public Path socket() {
        return socket;
    }

    /** Requests answered {@code errno=-22} because they did not parse (or were over a limit). */
    public long rejectedRequests() {
        return rejected.get();
    }

    /** Connections that failed to be accepted (each logged, then retried after a back-off). */
    public long acceptFailures() {
        return acceptFailures.get();
    }

    /** Connections closed at once because {@link Limits#maxClients()} were being served. */
    public long refusedClients() {
        return refusedClients.get();
    }

    /** Clients disconnected because a request did not complete within {@link Limits#requestTimeout()}. */
    public long timedOutClients() {
        return timedOutClients.get();
    }

    private void acceptLoop() {
        long backoffMillis = 0;
        while (!closed) {
            SocketChannel client;
            try {
                client = limits.acceptor().accept(server);
                backoffMillis = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // e.g. EMFILE: the listening socket is fine, the process is short of something
                acceptFailures.incrementAndGet();
                backoffMillis = Math.min(1000, Math.max(10, backoffMillis * 2));
                LOG.log(Level.WARNING, "uapi " + name + ": accept failed (retrying in " + backoffMillis + " ms): " + e.getMessage());
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                refusedClients.incrementAndGet();
                LOG.log(Level.WARNING, "uapi " + name + ": " + limits.maxClients() + " clients already connected; closing a new one");
                closeQuietly(client);
                continue;
            }
            clients.add(client);
            if (closed) {
                clients.remove(client);
                slots.release();
                closeQuietly(client);
                return;
            }
            Thread.ofVirtual().name("uapi-" + name).start(() -> serve(client));
        }
    }

    private void serve(SocketChannel client) {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = null;
        try {
            InputStream in = Channels.newInputStream(client);
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(client), 8192);
            LineReader reader = new LineReader(in, limits.maxRequestBytes());
            while (!closed) {
                deadline = timer.schedule(() -> {
                    timedOut.set(true);
                    closeQuietly(client);
                }, limits.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
                reader.startRequest();
                String op = reader.readLine();
                if (op == null) {
                    return;
                }
                int opLine = reader.lineNumber();
                List<String> lines = new ArrayList<>();
                String l;
                while ((l = reader.readLine()) != null && !l.isEmpty()) {
                    if (lines.size() >= MAX_LINES) {
                        throw new UapiException(UapiException.EINVAL, "line " + reader.lineNumber() + ": more than " + MAX_LINES + " lines in one request");
                    }
                    lines.add(l);
                }
                if (l == null) {
                    throw new UapiException(UapiException.EINVAL, "line " + (reader.lineNumber() + 1) + ": the stream ended before the empty line that ends a request");
                }
                synchronized (inFlightLock) {
                    inFlight++;
                }
                try {
                    String reply = switch (op) {
                        case "get=1" -> get(lines, opLine);
                        case "set=1" -> set(lines, opLine);
                        default -> reject(new UapiException(UapiException.EINVAL,
                                "line " + opLine + ": '" + UapiCodec.printable(op) + "' is not an operation (get=1 or set=1)"));
                    };
                    out.write(reply.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } finally {
                    synchronized (inFlightLock) {
                        inFlight--;
                        inFlightLock.notifyAll();
                    }
                }
                deadline.cancel(false);
            }
        } catch (UapiException e) {
            rejected.incrementAndGet();
            LOG.log(Level.WARNING, "uapi " + name + ": closing a client: " + e.getMessage());
            // the stream cannot be resynchronised; a best-effort answer, then close
            try {
                ByteBuffer answer = ByteBuffer.wrap(errnoLine(e.errno()).getBytes(StandardCharsets.US_ASCII));
                while (answer.hasRemaining() && client.write(answer) >= 0) {
                    // a blocking channel writes it all
                }
                client.shutdownOutput();
            } catch (IOException ignored) {
                // the client is gone
            }
        } catch (RejectedExecutionException e) {
            // closing: the timer is shut down
        } catch (IOException e) {
            if (timedOut.get()) {
                timedOutClients.incrementAndGet();
                LOG.log(Level.WARNING, "uapi " + name + ": closed a client that did not complete a request within "
                        + limits.requestTimeout().toMillis() + " ms");
            } else if (!closed) {
                LOG.log(Level.DEBUG, "uapi " + name + ": client connection failed: " + e.getMessage());
            }
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            clients.remove(client);
            slots.release();
            closeQuietly(client);
        }
    }

    private String get(List<String> lines, int opLine) {
        if (!lines.isEmpty()) {
            return reject(new UapiException(UapiException.EINVAL,
                    "line " + (opLine + 1) + ": get=1 takes no keys, got '" + UapiCodec.printable(lines.getFirst()) + "'"));
        }
        try {
            DeviceStatus status = target.status();
            return UapiCodec.formatStatus(status) + "errno=0\n\n";
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "uapi " + name + ": get=1 failed: " + e.getMessage());
            return errnoLine(errnoOf(e));
        }
    }

    private String set(List<String> lines, int opLine) {
        DeviceUpdate update;
        try {
            update = UapiCodec.parseUpdate(lines, opLine + 1);
        } catch (UapiException e) {
            return reject(e);
        }
        try {
            target.apply(update);
            return "errno=0\n\n";
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "uapi " + name + ": set=1 refused: " + e.getMessage());
            return errnoLine(errnoOf(e));
        }
    }

    private String reject(UapiException e) {
        rejected.incrementAndGet();
        LOG.log(Level.WARNING, "uapi " + name + ": rejected a request: " + e.getMessage());
        return errnoLine(e.errno());
    }

    /**
     * The closing line of an answer: {@code errno=0}, or the error negated ({@code errno=-22})
     * as wireguard-go writes it and {@code wg} reads it ({@code strerror(-errno)}).
     */
    static String errnoLine(int errno) {
        return "errno=" + (errno == 0 ? 0 : -Math.abs(errno)) + "\n\n";
    }

    private static int errnoOf(Exception e) {
        if (e instanceof UapiException u) {
            return u.errno();
        }
        if (e instanceof IllegalArgumentException) {
            return UapiException.EINVAL;
        }
        return UapiException.EIO;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /**
     * Stops accepting, waits up to {@link #CLOSE_GRACE} for requests being applied to be
     * answered, closes every client connection and removes the socket file if it is still ours.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        acceptor.interrupt(); // ends a back-off sleep
        // requests being applied get their answer (a wg set is not left unsure), briefly
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        synchronized (inFlightLock) {
            long left;
            while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(inFlightLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (SocketChannel c : clients) {
            closeQuietly(c);
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        try {
            PrivateSockets.removeIfSame(socket, fileKey);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "uapi " + name + ": could not remove " + socket + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "UapiServer[" + name + " on " + socket + "]";
    }
}
