package org.cunicu4j.wireguard.uapi;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Serves the UAPI protocol for one device on {@code /var/run/wireguard/<ifname>.sock}, so
 * that {@code wg show}, {@code wg set}, {@code wg setconf} and {@code wg showconf} work on
 * whatever {@link WireGuardControl} it fronts.
 *
 * <p>Starting creates the directory (0755) if absent, refuses when a live socket already
 * has the name (another device owns it) and removes a stale one; the socket is bound under
 * a temporary name, set to mode 0600, then renamed into place, so it is never reachable
 * with looser permissions. Each client is served on a virtual thread, request after
 * request, until it closes. A request that does not parse is answered {@code errno=-22}
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
    private volatile boolean closed;

    private UapiServer(String name, Path socket, Object fileKey, ServerSocketChannel server, WireGuardControl target) {
        this.name = name;
        this.socket = socket;
        this.fileKey = fileKey;
        this.server = server;
        this.target = target;
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
        Objects.requireNonNull(target, "target");
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                // made concurrently
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!UapiSockets.isSocketFile(socket)) {
                throw new FileAlreadyExistsException(socket.toString(), null, "is not a socket; refusing to replace it");
            }
            if (UapiSockets.isLive(socket)) {
                throw new FileAlreadyExistsException(socket.toString(), null,
                        "a live UAPI socket: another device owns the name " + name);
            }
            Files.deleteIfExists(socket); // stale: its device died without removing it
        }
        Path temp = dir.resolve("." + socket.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            Files.move(temp, socket, StandardCopyOption.ATOMIC_MOVE);
            Object key = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
            UapiServer s = new UapiServer(name, socket, key, ch, target);
            s.acceptor.start();
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** The socket's path. */
    public Path socket() {
        return socket;
    }

    /** Requests answered {@code errno=-22} because they did not parse (or were over a limit). */
    public long rejectedRequests() {
        return rejected.get();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "uapi " + name + ": accept failed: " + e.getMessage());
                }
                return;
            }
            clients.add(client);
            if (closed) {
                closeQuietly(client);
                return;
            }
            Thread.ofVirtual().name("uapi-" + name).start(() -> serve(client));
        }
    }

    private void serve(SocketChannel client) {
        try {
            InputStream in = Channels.newInputStream(client);
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(client), 8192);
            LineReader reader = new LineReader(in);
            while (!closed) {
                String op = reader.readLine();
                if (op == null) {
                    return;
                }
                int opLine = reader.lineNumber();
                List<String> lines = new ArrayList<>();
                String l;
                while ((l = reader.readLine()) != null && !l.isEmpty()) {
                    if (lines.size() >= 1 << 20) {
                        throw new UapiException(UapiException.EINVAL, "line " + reader.lineNumber() + ": more than 1048576 lines in one request");
                    }
                    lines.add(l);
                }
                if (l == null) {
                    throw new UapiException(UapiException.EINVAL, "line " + (reader.lineNumber() + 1) + ": the stream ended before the empty line that ends a request");
                }
                String reply = switch (op) {
                    case "get=1" -> get(lines, opLine);
                    case "set=1" -> set(lines, opLine);
                    default -> reject(new UapiException(UapiException.EINVAL,
                            "line " + opLine + ": '" + UapiCodec.printable(op) + "' is not an operation (get=1 or set=1)"));
                };
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (UapiException e) {
            rejected.incrementAndGet();
            LOG.log(Level.WARNING, "uapi " + name + ": closing a client: " + e.getMessage());
            // the stream cannot be resynchronised; a best-effort answer, then close
            try {
                client.write(java.nio.ByteBuffer.wrap((errnoLine(e.errno())).getBytes(StandardCharsets.US_ASCII)));
            } catch (IOException ignored) {
                // the client is gone
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.DEBUG, "uapi " + name + ": client connection failed: " + e.getMessage());
            }
        } finally {
            clients.remove(client);
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

    /** Stops accepting, closes every client connection and removes the socket file if it is still ours. */
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
        for (SocketChannel c : clients) {
            closeQuietly(c);
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Object key = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (NoSuchFileException e) {
            // already removed
        } catch (IOException e) {
            LOG.log(Level.WARNING, "uapi " + name + ": could not remove " + socket + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "UapiServer[" + name + " on " + socket + "]";
    }
}
