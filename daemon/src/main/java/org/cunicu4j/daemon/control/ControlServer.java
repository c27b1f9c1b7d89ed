package org.cunicu4j.daemon.control;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.daemon.api.DaemonApi;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.control.Frames.FrameTooLargeException;
import org.cunicu4j.daemon.control.proto.Request;
import org.cunicu4j.daemon.control.proto.Response;
import org.cunicu4j.daemon.control.proto.Response.Code;
import org.cunicu4j.wireguard.Key;

/**
 * Serves a {@link DaemonApi} on a UNIX-domain control socket (framing and messages: see
 * {@code control.proto} and the package documentation).
 *
 * <p>{@link #start} publishes the socket with mode 0600 and no moment where it is open to
 * others ({@link SocketFiles}); it replaces a stale socket and refuses a live one with a
 * {@link SocketInUseException} naming the path ("another daemon serves it"). Each client is
 * served on its own virtual thread, request after request, within {@link Limits}: at most
 * 32 clients (more get a BUSY answer and are closed), 64 KiB per request, 30 s of idleness
 * between requests. A request that does not parse or is over the limit is answered
 * BAD_REQUEST, counted ({@link #malformedRequests()}) and its connection closed; an empty
 * one is answered and the connection kept. A watching client gets its events through a
 * bounded {@link WatchQueue}, so a slow reader never stalls the daemon: it gets an
 * {@code EVENTS_DROPPED} event instead of what it missed; one that stops reading altogether
 * (a write blocked for longer than the idle timeout) is closed and gives its slot back. An
 * event that cannot be encoded (a daemon bug) is logged, counted and skipped; the stream goes
 * on. The status it serves carries these counters besides the daemon's
 * ({@code control_malformed_requests}, {@code control_refused_clients},
 * {@code control_idle_clients_closed} (idle clients and stalled watchers),
 * {@code control_dropped_events}, {@code control_unencodable_events}).
 *
 * <p>Owns the socket file, the listening socket and the client connections, not the
 * {@code DaemonApi}. Thread-safe; {@link #close()} is idempotent, ends every client stream
 * and removes the socket file if it is still ours.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    /**
     * What the server allows its clients.
     *
     * @param maxClients connections served at once
     * @param maxRequestBytes bytes of one request message
     * @param idleTimeout how long a client may take to send its next request (a watching client has no limit)
     * @param watchQueue events queued per watching client before they are dropped
     */
    record Limits(int maxClients, int maxRequestBytes, Duration idleTimeout, int watchQueue) {
        /** 32 clients, 64 KiB per request, 30 s idle, 1024 queued events per watcher. */
        static final Limits DEFAULT = new Limits(32, 64 * 1024, Duration.ofSeconds(30), 1024);

        Limits {
            if (maxClients < 1 || maxRequestBytes < 1 || watchQueue < 2 || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("limits must be positive: " + maxClients + " clients, "
                        + maxRequestBytes + " bytes, " + idleTimeout + ", queue " + watchQueue);
            }
        }
    }

    /** How long {@link #close()} waits for all client threads together. */
    private static final Duration CLOSE_JOIN = Duration.ofSeconds(2);

    /** One connected client and the thread serving it. */
    private record Connection(SocketChannel channel, Thread thread) {}

    private final Path socket;
    private final SocketFiles.Bound bound;
    private final ServerSocketChannel server;
    private final DaemonApi api;
    private final Limits limits;
    private final Clock clock;
    private final Semaphore slots;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final Thread acceptor;
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong unencodable = new AtomicLong();
    private volatile boolean closed;

    private ControlServer(SocketFiles.Bound bound, DaemonApi api, Limits limits, Clock clock) {
        this.socket = bound.path();
        this.bound = bound;
        this.server = bound.channel();
        this.api = api;
        this.limits = limits;
        this.clock = clock;
        this.slots = new Semaphore(limits.maxClients());
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("control-timeout").factory());
        t.setRemoveOnCancelPolicy(true); // a deadline per request: cancelled ones must not pile up
        this.timer = t;
        this.acceptor = Thread.ofVirtual().name("control-accept").unstarted(this::acceptLoop);
    }

    /**
     * Serves {@code api} on {@code socket} (its directory is created 0755 if absent).
     *
     * @throws SocketInUseException when another daemon serves {@code socket} or a file that is not a socket is there
     */
    public static ControlServer start(Path socket, DaemonApi api) throws IOException {
        return start(socket, api, Limits.DEFAULT, Clock.systemUTC());
    }

    static ControlServer start(Path socket, DaemonApi api, Limits limits, Clock clock) throws IOException {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(limits, "limits");
        SocketFiles.Bound bound = SocketFiles.bind(socket);
        ControlServer s;
        try {
            s = new ControlServer(bound, api, limits, clock);
        } catch (RuntimeException | Error e) {
            bound.channel().close();
            bound.release();
            throw e;
        }
        s.acceptor.start();
        LOG.log(Level.DEBUG, "control socket listening on " + s.socket);
        return s;
    }

    /** The socket's path (absolute). */
    public Path socket() {
        return socket;
    }

    /** Requests that did not parse, were empty or over the size limit. */
    public long malformedRequests() {
        return malformed.get();
    }

    /** Connections closed at once because {@link Limits#maxClients()} were being served. */
    public long refusedClients() {
        return refused.get();
    }

    /** Clients closed because they sent no request within {@link Limits#idleTimeout()}. */
    public long timedOutClients() {
        return timedOut.get();
    }

    /** Events dropped for watchers that read too slowly (all watchers together). */
    public long droppedEvents() {
        return dropped.get();
    }

    /** Events a watcher could not be sent because they could not be encoded (the daemon's bug: logged). */
    public long unencodableEvents() {
        return unencodable.get();
    }

    /** This server's counters as {@code status} adds them to the daemon's. */
    Map<String, Long> counters() {
        return Map.of("control_malformed_requests", malformed.get(), "control_refused_clients", refused.get(),
                "control_idle_clients_closed", timedOut.get(), "control_dropped_events", dropped.get(),
                "control_unencodable_events", unencodable.get());
    }

    private void acceptLoop() {
        long backoffMillis = 0;
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
                backoffMillis = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                backoffMillis = Math.min(1000, Math.max(10, backoffMillis * 2)); // e.g. EMFILE
                LOG.log(Level.WARNING, "control socket " + socket + ": accept failed (retrying in " + backoffMillis + " ms): " + e.getMessage());
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                refused.incrementAndGet();
                LOG.log(Level.WARNING, "control socket " + socket + ": " + limits.maxClients() + " clients connected; refusing another");
                try {
                    // a fresh connection's send buffer is empty: this small write does not block
                    Frames.write(ch, error(Code.BUSY, "too many control clients (" + limits.maxClients() + "); try again later").toByteArray());
                } catch (IOException ignored) {
                    // gone
                }
                closeQuietly(ch);
                continue;
            }
            Connection c = new Connection(ch, Thread.ofVirtual().name("control-client").unstarted(() -> serve(ch)));
            connections.add(c);
            if (closed) { // close() may have missed it
                connections.remove(c);
                slots.release();
                closeQuietly(ch);
                return;
            }
            c.thread().start();
        }
    }

    private void serve(SocketChannel ch) {
        AtomicBoolean idle = new AtomicBoolean();
        ScheduledFuture<?> deadline = null;
        try {
            while (!closed) {
                deadline = timer.schedule(() -> {
                    idle.set(true);
                    timedOut.incrementAndGet(); // before the close: whoever sees the close sees the count
                    closeQuietly(ch);
                }, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
                byte[] frame;
                try {
                    frame = Frames.read(ch, limits.maxRequestBytes());
                } catch (FrameTooLargeException e) {
                    reject(ch, "request refused: " + e.getMessage());
                    return;
                } catch (EOFException e) {
                    malformed.incrementAndGet();
                    LOG.log(Level.WARNING, "control socket " + socket + ": a client closed inside a request: " + e.getMessage());
                    return;
                }
                deadline.cancel(false);
                if (frame == null) {
                    return;
                }
                Request req;
                try {
                    req = Request.parseFrom(frame);
                } catch (InvalidProtocolBufferException e) {
                    reject(ch, "request refused: not a control request (" + e.getMessage() + ")");
                    return;
                }
                switch (req.getKindCase()) {
                    case WATCH -> {
                        watch(ch);
                        return;
                    }
                    case SHUTDOWN -> Frames.write(ch, shutdown().toByteArray());
                    default -> Frames.write(ch, handle(req).toByteArray());
                }
            }
        } catch (RejectedExecutionException e) {
            // closing: the timer is shut down
        } catch (RuntimeException e) {
            // a bug here must cost this client only, never the slot or the server
            LOG.log(Level.WARNING, "control socket: serving a client failed: " + e, e);
        } catch (IOException e) {
            if (idle.get()) {
                LOG.log(Level.DEBUG, "control socket: closed a client idle for " + limits.idleTimeout());
            } else if (!closed) {
                LOG.log(Level.DEBUG, "control socket: client connection failed: " + e.getMessage());
            }
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            connections.removeIf(c -> c.channel() == ch);
            slots.release();
            closeQuietly(ch);
        }
    }

    /** Answers every request but watch and shutdown; never throws for the daemon's failures. */
    private Response handle(Request req) {
        try {
            return switch (req.getKindCase()) {
                case STATUS -> Response.newBuilder().setStatus(ControlCodec.encode(api.status().withCounters(counters()))).build();
                case SYNC -> {
                    api.sync();
                    yield ok();
                }
                case RESTART_PEER -> restartPeer(req);
                case KIND_NOT_SET -> {
                    malformed.incrementAndGet();
                    yield error(Code.BAD_REQUEST, "empty request: none of status, watch, sync, restart_peer, shutdown (a newer client?)");
                }
                default -> throw new IllegalStateException("unhandled request " + req.getKindCase());
            };
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "control socket: " + req.getKindCase() + " failed: " + e, e);
            return error(Code.FAILED, req.getKindCase().name().toLowerCase(java.util.Locale.ROOT) + " failed: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        }
    }

    /** Asks the daemon to shut down; answers OK once it has accepted, FAILED when it threw. */
    private Response shutdown() {
        LOG.log(Level.INFO, "control socket: shutdown requested");
        try {
            api.shutdown();
            return ok();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "control socket: shutdown failed: " + e, e);
            return error(Code.FAILED, "shutdown failed: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        }
    }

    private Response restartPeer(Request req) {
        String iface = req.getRestartPeer().getIface();
        Key peer;
        try {
            peer = ControlCodec.publicKey(req.getRestartPeer().getPublicKey(), "restart_peer public_key");
        } catch (IllegalArgumentException e) {
            malformed.incrementAndGet();
            return error(Code.BAD_REQUEST, e.getMessage());
        }
        if (iface.isEmpty()) {
            malformed.incrementAndGet();
            return error(Code.BAD_REQUEST, "restart_peer: no interface named");
        }
        if (api.restartPeer(iface, peer)) {
            return ok();
        }
        return error(Code.NOT_FOUND, "no peer " + shortKey(peer) + " on " + iface);
    }

    /**
     * Streams events to {@code ch} until the client closes it (or the server closes). A write
     * blocked for longer than {@link Limits#idleTimeout()} (a watcher that stopped reading)
     * closes the connection, so that it gives its slot back.
     */
    private void watch(SocketChannel ch) throws IOException {
        WatchQueue queue = new WatchQueue(limits.watchQueue(), dropped, clock);
        AutoCloseable handle;
        try {
            handle = api.watch(queue);
            if (handle == null) {
                throw new IllegalStateException("the daemon returned no watch handle");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "control socket: watch failed: " + e, e);
            Frames.write(ch, error(Code.FAILED, "watch failed: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())).toByteArray());
            return;
        }
        // the client sends nothing more: its EOF (or anything) ends the stream
        Thread closeWatcher = Thread.ofVirtual().name("control-watch-eof").start(() -> {
            try {
                ch.read(ByteBuffer.allocate(1));
            } catch (IOException ignored) {
                // closed
            }
            queue.end();
        });
        AtomicLong writingSince = new AtomicLong(); // System.nanoTime() when the current write began, 0 between writes
        AtomicBoolean stalled = new AtomicBoolean();
        long timeout = limits.idleTimeout().toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), timeout / 4);
        ScheduledFuture<?> stallCheck = null;
        try {
            stallCheck = timer.scheduleAtFixedRate(() -> {
                long since = writingSince.get();
                if (since != 0 && System.nanoTime() - since > timeout && stalled.compareAndSet(false, true)) {
                    timedOut.incrementAndGet(); // before the close: whoever sees the close sees the count
                    LOG.log(Level.WARNING, "control socket: closing a watcher that has not read for " + limits.idleTimeout());
                    queue.end();
                    closeQuietly(ch);
                }
            }, period, period, TimeUnit.NANOSECONDS);
            Frames.write(ch, ok().toByteArray());
            DaemonEvent e;
            while ((e = queue.take()) != null) {
                byte[] frame;
                try {
                    frame = Response.newBuilder().setEvent(ControlCodec.encode(e)).build().toByteArray();
                } catch (RuntimeException bad) {
                    long n = unencodable.incrementAndGet();
                    LOG.log(Level.WARNING, "control socket: an event the daemon emitted cannot be sent (" + n
                            + " so far); skipped: " + bad);
                    continue;
                }
                writingSince.set(Math.max(1, System.nanoTime()));
                Frames.write(ch, frame);
                writingSince.set(0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (stallCheck != null) {
                stallCheck.cancel(false);
            }
            queue.end();
            try {
                handle.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "control socket: closing a watch failed: " + e.getMessage());
            }
            closeQuietly(ch); // wakes closeWatcher
            closeWatcher.interrupt();
        }
    }

    private void reject(SocketChannel ch, String message) {
        malformed.incrementAndGet();
        LOG.log(Level.WARNING, "control socket " + socket + ": " + message + "; closing the client");
        try {
            Frames.write(ch, error(Code.BAD_REQUEST, message).toByteArray());
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    private static Response ok() {
        return Response.getDefaultInstance();
    }

    private static Response error(Code code, String message) {
        return Response.newBuilder().setCode(code).setError(message).build();
    }

    /** The first 8 base64 characters of a public key and an ellipsis, as logs name peers. */
    static String shortKey(Key k) {
        return k.toBase64().substring(0, 8) + "…";
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Stops accepting, ends every client connection and stream, removes the socket file if still ours. */
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
        acceptor.interrupt();
        for (Connection c : connections) {
            closeQuietly(c.channel());
        }
        // one deadline for all: a client thread stuck in the daemon's code must not hold close() per client
        long deadline = System.nanoTime() + CLOSE_JOIN.toNanos();
        try {
            acceptor.join(CLOSE_JOIN);
            for (Connection c : connections) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (c.thread() != Thread.currentThread()) { // close() called from a request (e.g. shutdown)
                    c.thread().join(Duration.ofNanos(left));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        try {
            bound.release();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "control socket: could not remove " + socket + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ControlServer[" + socket + "]";
    }
}
