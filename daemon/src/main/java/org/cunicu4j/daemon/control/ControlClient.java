package org.cunicu4j.daemon.control;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.Objects;
import java.util.function.Consumer;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.control.proto.Request;
import org.cunicu4j.daemon.control.proto.Response;
import org.cunicu4j.daemon.control.proto.RestartPeerRequest;
import org.cunicu4j.daemon.control.proto.ShutdownRequest;
import org.cunicu4j.daemon.control.proto.StatusRequest;
import org.cunicu4j.daemon.control.proto.SyncRequest;
import org.cunicu4j.daemon.control.proto.WatchRequest;
import org.cunicu4j.wireguard.Key;

/**
 * A connection to a daemon's control socket ({@link ControlServer}): what {@code cunicu4j
 * status}, {@code monitor} and {@code restart} use. Requests are answered in order; a
 * request the daemon refuses throws a {@link ControlException} with the daemon's text.
 *
 * <p>The daemon closes a connection that sends no request for 30 s: connect per use (as the
 * CLI does), or expect an {@link IOException} after a long pause and connect again.
 *
 * <p>Owns its connection. Requests are serialised (one at a time per client);
 * {@link #watch} takes the connection over until the stream ends, and {@link #close()} may
 * be called from any thread, also to end a {@code watch}.
 */
public final class ControlClient implements AutoCloseable {
    /** The largest answer accepted (a status of many thousand peers fits easily). */
    static final int MAX_RESPONSE_BYTES = 64 << 20;

    private final Path socket;
    private final SocketChannel channel;
    private volatile boolean closed;

    private ControlClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
    }

    /**
     * Connects to the daemon serving {@code socket}.
     *
     * @throws NoDaemonException when the socket is missing or nobody serves it
     */
    public static ControlClient connect(Path socket) throws IOException {
        Objects.requireNonNull(socket, "socket");
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoDaemonException(socket, "the socket does not exist", null);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException e) {
            ch.close();
            throw new NoDaemonException(socket, "nobody answers on it: " + e.getMessage(), e);
        } catch (java.nio.file.NoSuchFileException e) {
            ch.close();
            throw new NoDaemonException(socket, "the socket does not exist", e);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new ControlException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
        return new ControlClient(socket, ch);
    }

    /** The socket this client is connected to. */
    public Path socket() {
        return socket;
    }

    /** Every interface and peer session, as the daemon sees them now. */
    public synchronized DaemonStatus status() throws IOException {
        Response r = call(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build(), "status");
        if (!r.hasStatus()) {
            throw new ControlException("the daemon answered status without a status");
        }
        try {
            return ControlCodec.decode(r.getStatus());
        } catch (IllegalArgumentException | DateTimeException e) { // a field at fault; a time out of Instant's range
            throw new ControlException("the daemon's status does not make sense: " + e.getMessage(), e);
        }
    }

    /**
     * Streams events to {@code listener} (on this thread, in order) until the daemon ends the
     * stream or {@link #close()} is called; then returns. The connection serves nothing else
     * afterwards.
     */
    public synchronized void watch(Consumer<DaemonEvent> listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        call(Request.newBuilder().setWatch(WatchRequest.getDefaultInstance()).build(), "watch");
        try {
            while (true) {
                byte[] frame = Frames.read(channel, MAX_RESPONSE_BYTES);
                if (frame == null) {
                    return; // the daemon ended the stream (shutting down)
                }
                Response r = parse(frame);
                if (r.getCode() != Response.Code.OK) {
                    throw new ControlException("watch: " + r.getError());
                }
                if (!r.hasEvent()) {
                    throw new ControlException("the daemon sent something other than an event in a watch stream");
                }
                DaemonEvent e;
                try {
                    e = ControlCodec.decode(r.getEvent());
                } catch (IllegalArgumentException | DateTimeException ex) {
                    throw new ControlException("an event from the daemon does not make sense: " + ex.getMessage(), ex);
                }
                listener.accept(e);
            }
        } catch (ControlException e) {
            throw e;
        } catch (IOException e) {
            if (!closed) {
                throw e;
            }
            // close() ended the stream
        } finally {
            close();
        }
    }

    /** Makes the daemon re-read interfaces and peers now. */
    public synchronized void sync() throws IOException {
        call(Request.newBuilder().setSync(SyncRequest.getDefaultInstance()).build(), "sync");
    }

    /**
     * Restarts the ICE session of {@code peer} on {@code iface}.
     *
     * @return false when the daemon has no such interface or peer
     */
    public synchronized boolean restartPeer(String iface, Key peer) throws IOException {
        Request req = Request.newBuilder().setRestartPeer(RestartPeerRequest.newBuilder()
                .setIface(iface).setPublicKey(ControlCodec.publicKey(peer))).build();
        Response r = exchange(req);
        if (r.getCode() == Response.Code.NOT_FOUND) {
            return false;
        }
        check(r, "restart");
        return true;
    }

    /** Asks the daemon to shut down (returns once it has accepted; it exits shortly after). */
    public synchronized void shutdown() throws IOException {
        call(Request.newBuilder().setShutdown(ShutdownRequest.getDefaultInstance()).build(), "shutdown");
    }

    /** Sends {@code req}, reads its answer and throws unless it is OK. */
    private Response call(Request req, String what) throws IOException {
        return check(exchange(req), what);
    }

    private Response exchange(Request req) throws IOException {
        if (closed) {
            throw new ControlException("the control connection to " + socket + " is closed");
        }
        try {
            Frames.write(channel, req.toByteArray());
        } catch (IOException e) {
            // the daemon may have answered and closed before reading (too many clients): say what it said
            byte[] early;
            try {
                early = Frames.read(channel, MAX_RESPONSE_BYTES);
            } catch (IOException ignored) {
                throw e;
            }
            if (early == null) {
                throw e;
            }
            return parse(early);
        }
        byte[] frame = Frames.read(channel, MAX_RESPONSE_BYTES);
        if (frame == null) {
            throw new ControlException("the daemon at " + socket + " closed the connection without answering");
        }
        return parse(frame);
    }

    private static Response check(Response r, String what) throws ControlException {
        if (r.getCode() != Response.Code.OK) {
            throw new ControlException(what + ": " + (r.getError().isEmpty() ? r.getCode().name() : r.getError()));
        }
        return r;
    }

    private static Response parse(byte[] frame) throws ControlException {
        try {
            return Response.parseFrom(frame);
        } catch (InvalidProtocolBufferException e) {
            throw new ControlException("the daemon's answer does not parse: " + e.getMessage(), e);
        }
    }

    /** Closes the connection; ends a {@link #watch} running on another thread. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public String toString() {
        return "ControlClient[" + socket + "]";
    }
}
