package org.cunicu4j.daemon.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Binds a listening UNIX socket at a path so that it is never reachable with looser
 * permissions than 0600: bound in a fresh private (0700) directory next to the target,
 * chmod 0600, then given its public name with {@code link(2)}, which never replaces a name
 * that exists (a live socket that appeared meanwhile keeps it). A stale socket in the way
 * (connecting is refused: its daemon died) is removed first; a live one or a file that is
 * not a socket is refused with {@link SocketInUseException}. The same scheme as the UAPI
 * server's (whose helpers are specific to {@code /var/run/wireguard}). Stateless.
 */
final class SocketFiles {
    private SocketFiles() {}

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** A listening channel published at {@code path}, and the published file's identity. */
    record Bound(ServerSocketChannel channel, Path path, Object fileKey) {}

    static Bound bind(Path socket) throws IOException {
        Path path = socket.toAbsolutePath();
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (FileAlreadyExistsException e) {
                // made concurrently
            }
        }
        refuseUnlessReplaceable(path); // fail early and clearly; publish re-checks on a clash
        Path privateDir = Files.createTempDirectory(dir, "." + path.getFileName() + ".",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp = privateDir.resolve("s");
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            publish(temp, path);
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new Bound(ch, path, key);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        } finally {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(privateDir);
        }
    }

    /** Links {@code temp} to {@code path}, removing a stale socket in the way (a few tries). */
    private static void publish(Path temp, Path path) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createLink(path, temp);
                return;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 3) {
                    throw new SocketInUseException(path, false,
                            "keeps reappearing while a stale control socket is replaced; refusing to take it");
                }
                refuseUnlessReplaceable(path);
            }
        }
    }

    /** Returns when nothing or a stale socket (removed here) holds {@code path}. */
    static void refuseUnlessReplaceable(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocketFile(path)) {
            throw new SocketInUseException(path, false, "exists and is not a socket; refusing to replace it");
        }
        if (isLive(path)) {
            throw new SocketInUseException(path, true,
                    "another daemon serves it (the control socket answers); stop that daemon first or give another socket path");
        }
        Files.deleteIfExists(path); // stale: its daemon died without removing it
    }

    /** True when {@code path} is a UNIX socket file (links are not followed). */
    static boolean isSocketFile(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }

    /**
     * True when something accepts connections on {@code path}; false when the connection is
     * refused (stale). Any other failure (e.g. permission denied: someone else's socket)
     * refuses to take the path.
     */
    private static boolean isLive(Path path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            if (String.valueOf(e.getMessage()).contains("refused")) {
                return false;
            }
            throw new SocketInUseException(path, false, "a socket that cannot be probed (" + e.getMessage() + "); refusing to replace it");
        } catch (IOException e) {
            throw new SocketInUseException(path, false, "a socket that cannot be probed (" + e.getMessage() + "); refusing to replace it");
        }
    }
}
