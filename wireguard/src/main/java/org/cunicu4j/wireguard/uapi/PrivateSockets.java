package org.cunicu4j.wireguard.uapi;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Publishing a listening UNIX socket that is never reachable with looser permissions than
 * 0600, and removing it only while it is still ours: what the UAPI server and the daemon's
 * control socket share. The socket is bound in a fresh private (0700) directory next to its
 * name, made 0600, then given its public name by the caller's {@link Link} step (a
 * {@code link(2)}, which never replaces a name that exists; each caller decides what a
 * name in the way means). Stateless.
 */
public final class PrivateSockets {
    private PrivateSockets() {}

    /** Gives the bound socket {@code temp} its public name (e.g. {@code Files.createLink(name, temp)}). */
    @FunctionalInterface
    public interface Link {
        void link(Path temp) throws IOException;
    }

    /**
     * A listening channel published under its name and the published file's identity (for
     * {@link #removeIfSame}). The caller owns the channel.
     */
    public record Published(ServerSocketChannel channel, Object fileKey) {}

    /**
     * Binds a listening UNIX socket in a private directory {@code <dir of socket>/<tempPrefix>*}
     * (which must exist), makes it 0600 and runs {@code link}; the temporary name and
     * directory are removed whatever happens, the channel is closed when anything fails.
     *
     * @throws IOException naming {@code socket} when binding fails, or what {@code link} throws
     */
    public static Published bind(Path socket, String tempPrefix, Link link) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        Path privateDir = Files.createTempDirectory(dir, tempPrefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp = privateDir.resolve("s");
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try {
                ch.bind(UnixDomainSocketAddress.of(temp));
            } catch (IOException e) {
                throw new IOException("cannot bind a UNIX socket for " + socket + " (at " + temp + " first): " + e.getMessage(), e);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            // the link is the same inode: its identity is the temp's, read before anyone else can see it
            Object key = Files.readAttributes(temp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            link.link(temp);
            return new Published(ch, key);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        } finally {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(privateDir);
        }
    }

    /**
     * Removes {@code socket} if it is still the file of identity {@code fileKey} (someone may
     * have re-bound the name meanwhile); nothing when it is gone.
     *
     * @return true when this call removed it
     */
    public static boolean removeIfSame(Path socket, Object fileKey) throws IOException {
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return key != null && key.equals(fileKey) && Files.deleteIfExists(socket);
        } catch (NoSuchFileException e) {
            return false; // already removed
        }
    }
}
