package org.cunicu4j.daemon.control;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * {@code EVENTS_DROPPED} event instead of what it missed.
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

    /** One connected client and the thread serving it. */
    private record Connection(SocketChannel channel, Thread thread) {}

    private final Path socket;
    private final Object fileKey;
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
    private volatile boolean closed;

    private ControlServer(SocketFiles.Bound bound, DaemonApi api, Limits limits, Clock clock) {
        this.socket = bound.path();
        this.fileKey = bound.fileKey();
        this.server = bound.channel();
        this.api = api;
        this.limits = limits;
        this.clock = clock;
        this.slots = new Semaphore(limits.maxClients());
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("control-timeout").factory());
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
        ControlServer s = new ControlServer(bound, api, limits, clock);
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
            Connection real = new Connection(ch, Thread.ofVirtual().name("control-client").unstarted(() -> serve(ch)));
            connections.add(real);
            if (closed) {
                connections.remove(real);
                slots.release();
                closeQuietly(ch);
                return;
            }
            real.thread().start();
        }
    }

    private void serve(SocketChannel ch) {
        java.util.concurrent.atomic.AtomicBoolean idle = new java.util.concurrent.atomic.AtomicBoolean();
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
                    case SHUTDOWN -> {
                        Frames.write(ch, ok().toByteArray());
                        LOG.log(Level.INFO, "control socket: shutdown requested");
                        try {
                            api.shutdown();
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "control socket: shutdown failed: " + e.getMessage(), e);
                        }
                    }
                    default -> Frames.write(ch, handle(req).toByteArray());
                }
            }
        } catch (RejectedExecutionException e) {
            // closing: the timer is shut down
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
                case STATUS -> Response.newBuilder().setStatus(ControlCodec.encode(api.status())).build();
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

    /** Streams events to {@code ch} until the client closes it (or the server closes). */
    private void watch(SocketChannel ch) throws IOException {
        WatchQueue queue = new WatchQueue(limits.watchQueue(), dropped, clock);
        AutoCloseable handle;
        try {
            handle = api.watch(queue);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "control socket: watch failed: " + e, e);
            Frames.write(ch, error(Code.FAILED, "watch failed: " + e.getMessage()).toByteArray());
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
        try {
            Frames.write(ch, ok().toByteArray());
            DaemonEvent e;
            while ((e = queue.take()) != null) {
                Frames.write(ch, Response.newBuilder().setEvent(ControlCodec.encode(e)).build().toByteArray());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
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
        try {
            acceptor.join();
            for (Connection c : connections) {
                c.thread().join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (NoSuchFileException e) {
            // already removed
        } catch (IOException e) {
            LOG.log(Level.WARNING, "control socket: could not remove " + socket + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ControlServer[" + socket + "]";
    }
}
