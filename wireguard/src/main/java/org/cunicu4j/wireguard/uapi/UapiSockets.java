package org.cunicu4j.wireguard.uapi;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where userspace WireGuard devices put their UAPI sockets: {@code /var/run/wireguard/<ifname>.sock},
 * the directory {@code wg} scans. One directory for every network namespace, so interface
 * names must be unique machine-wide. Stateless.
 */
public final class UapiSockets {
    private UapiSockets() {}

    /** The directory {@code wg(8)} scans for {@code *.sock}. */
    public static final Path DIRECTORY = Path.of("/var/run/wireguard");

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** {@code /var/run/wireguard/<ifname>.sock}, after checking the name as the kernel would. */
    public static Path socketOf(String ifname) {
        checkName(ifname);
        return DIRECTORY.resolve(ifname + ".sock");
    }

    /**
     * Checks an interface name: 1..15 bytes, no '/', whitespace, ':' or NUL, not "." or "..".
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkName(String ifname) {
        if (ifname.isEmpty() || ifname.length() > 15 || ifname.equals(".") || ifname.equals("..")) {
            throw new IllegalArgumentException("'" + UapiCodec.printable(ifname) + "' is not an interface name (1..15 characters, not . or ..)");
        }
        for (int i = 0; i < ifname.length(); i++) {
            char c = ifname.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':') {
                throw new IllegalArgumentException("'" + UapiCodec.printable(ifname) + "' is not an interface name: character " + i + " is not allowed");
            }
        }
    }

    /**
     * The interface names of the userspace devices in {@link #DIRECTORY}, in directory order
     * as {@code wg show interfaces} lists them: every {@code <name>.sock} of 1..15 characters
     * that is a socket and not stale. A stale socket (connecting is refused: its device died)
     * is removed, as {@code wg} does; files that are not sockets are skipped and left alone.
     * Empty when the directory does not exist.
     */
    public static java.util.List<String> list() throws IOException {
        return list(DIRECTORY);
    }

    static java.util.List<String> list(Path directory) throws IOException {
        java.util.List<String> names = new java.util.ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return names;
        }
        try (java.nio.file.DirectoryStream<Path> dir = Files.newDirectoryStream(directory)) {
            for (Path p : dir) {
                String f = p.getFileName().toString();
                if (f.length() > 5 && f.length() <= 15 + 5 && f.endsWith(".sock") && usable(p)) {
                    names.add(f.substring(0, f.length() - 5));
                }
            }
        }
        return names;
    }

    /**
     * True when {@code path} is a socket that is live or cannot be probed (then a client
     * reports why); false when it is gone, not a socket, or stale (then it is removed).
     */
    public static boolean usable(Path path) {
        try {
            if (!isSocketFile(path)) {
                return false;
            }
        } catch (IOException e) {
            return false; // gone meanwhile
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (java.net.ConnectException e) {
            try {
                Files.deleteIfExists(path); // ECONNREFUSED: nobody listens any more
            } catch (IOException ignored) {
                // not ours to remove; skipped all the same
            }
            return false;
        } catch (IOException e) {
            return !(e instanceof java.nio.file.NoSuchFileException) && Files.exists(path, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** True when {@code path} is a UNIX socket file (not following links). */
    static boolean isSocketFile(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }

    /** True when something accepts connections on {@code path}. */
    static boolean isLive(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
