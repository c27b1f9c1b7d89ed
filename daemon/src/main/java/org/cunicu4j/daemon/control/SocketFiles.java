package org.cunicu4j.daemon.control;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.wireguard.uapi.PrivateSockets;

/**
 * Binds a listening UNIX socket at a path so that it is never reachable with looser
 * permissions than 0600: bound in a fresh private (0700) directory next to the target,
 * chmod 0600, then given its public name with {@code link(2)}, which never replaces a name
 * that exists (wireguard's {@link PrivateSockets}, which the UAPI server uses too).
 *
 * <p>Two daemons starting at once must not remove each other's socket: the whole
 * check-stale, remove, link sequence, and later the check-ours-then-remove of
 * {@link Bound#release()}, run under an exclusive lock on {@code <path>.lock} (opened without
 * following links, mode 0600, left in place: removing a lock file races with its next
 * taker). A lock already held means another daemon starts or serves at the path
 * ({@link SocketInUseException}, live). Under the lock, a stale socket (connecting is
 * refused, see {@link UnixProbe}) is removed; a live one or a file that is not a socket is
 * refused. Stateless but for the {@link Bound} it returns.
 */
final class SocketFiles {
    private SocketFiles() {}

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /**
     * A listening channel published at {@code path}, the published file's identity and the
     * lock that keeps other daemons off the path until {@link #release()}.
     */
    record Bound(ServerSocketChannel channel, Path path, Object fileKey, FileChannel lock) {
        /**
         * Removes the socket file if it is still the one published (someone may have
         * re-bound the path meanwhile), then gives up the lock. Closes not the channel.
         */
        void release() throws IOException {
            try {
                PrivateSockets.removeIfSame(path, fileKey);
            } finally {
                lock.close(); // releases the lock
            }
        }
    }

    /** {@code <path>.lock}. */
    static Path lockPath(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

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
        FileChannel lock = lock(path);
        try {
            refuseUnlessReplaceable(path);
            PrivateSockets.Published p = PrivateSockets.bind(path, ".ctl", temp -> {
                try {
                    Files.createLink(path, temp);
                } catch (FileAlreadyExistsException e) {
                    // only a process not taking the lock can have put it there
                    throw new SocketInUseException(path, false, "appeared while the control socket was published; refusing to replace it");
                }
            });
            return new Bound(p.channel(), path, p.fileKey(), lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Opens and locks {@code <path>.lock}; a lock held elsewhere is a live daemon. */
    private static FileChannel lock(Path path) throws IOException {
        Path lockFile = lockPath(path);
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new IOException("cannot open the control socket's lock file " + lockFile + ": " + e.getMessage(), e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by another server in this JVM
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
        if (l == null) {
            ch.close();
            throw new SocketInUseException(path, true, "another daemon serves it (it holds " + lockFile
                    + "); stop that daemon first");
        }
        return ch;
    }

    /** Returns when nothing or a stale socket (removed here) holds {@code path}; call under the lock. */
    static void refuseUnlessReplaceable(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean socketFile;
        try {
            socketFile = isSocketFile(path);
        } catch (NoSuchFileException e) {
            return; // removed meanwhile
        }
        if (!socketFile) {
            throw new SocketInUseException(path, false, "exists and is not a socket; refusing to replace it");
        }
        UnixProbe.Result r;
        try {
            r = UnixProbe.probe(path);
        } catch (LinuxException | IllegalArgumentException e) {
            throw new SocketInUseException(path, false, "a socket that cannot be probed (" + e.getMessage() + "); refusing to replace it");
        }
        switch (r) {
            case LIVE -> throw new SocketInUseException(path, true,
                    "another daemon serves it (the control socket answers); stop that daemon first");
            case STALE -> Files.deleteIfExists(path); // its daemon died without removing it
            case GONE -> {
                // removed meanwhile
            }
        }
    }

    /** True when {@code path} is a UNIX socket file (links are not followed). */
    static boolean isSocketFile(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }
}
