package org.cunicu4j.daemon.hsync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Read-modify-write of a hosts file: {@link #update} drops the lines a predicate claims,
 * appends new ones and writes the result only when it differs from what is there. Every
 * other line is kept byte for byte (including {@code \r}, trailing blanks, comments, its
 * position, its bytes whatever their encoding); only a missing newline after the last foreign line is added when lines follow.
 *
 * <p>The write is atomic where it can be: a temporary file in the same directory with the
 * original's mode, owner and group, flushed to disk and renamed over it (a symlinked file is
 * followed and its target replaced). Where renaming is not possible — {@code /etc/hosts}
 * bind-mounted into a container ({@code rename} gives {@code EBUSY}), a read-only or
 * unwritable directory, an owner that cannot be kept — the file is rewritten in place instead
 * (written from offset 0, then truncated and flushed): not atomic, so a reader may briefly see
 * a mix, which is the price of a bind mount. Any other failure ({@code ENOSPC}, {@code EIO})
 * is thrown and the file left as it was. {@link #lastWrite()} says which way the last write
 * went.
 *
 * <p>A rename gives the file a new inode: extended attributes, ACLs and the SELinux label of
 * the old one are not carried over (the new file gets its directory's default label, which for
 * {@code /etc/hosts} is normally the same {@code net_conf_t}); only mode, owner and group are
 * kept.
 *
 * <p>Other processes editing the file at the same moment can lose an edit (there is no
 * locking protocol for {@code /etc/hosts}); within this JVM all updates are serialised on one
 * lock. Thread-safe.
 */
final class HostsFile {
    private static final System.Logger LOG = System.getLogger(HostsFile.class.getName());
    private static final Object LOCK = new Object();
    private static final Set<PosixFilePermission> DEFAULT_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private final Path path;
    private volatile HostsSync.WriteMode lastWrite = HostsSync.WriteMode.UNCHANGED;

    HostsFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    HostsSync.WriteMode lastWrite() {
        return lastWrite;
    }

    /**
     * Removes every line {@code ours} accepts and appends {@code add} (each without a terminator).
     * A missing file is created (mode 0644) unless there is nothing to add.
     *
     * @return how the file was written
     */
    HostsSync.WriteMode update(Predicate<String> ours, List<String> add) throws IOException {
        synchronized (LOCK) {
            Path target = resolve();
            byte[] old;
            try {
                old = Files.readAllBytes(target);
            } catch (NoSuchFileException e) {
                if (add.isEmpty()) {
                    return lastWrite = HostsSync.WriteMode.UNCHANGED;
                }
                old = new byte[0];
            }
            // ISO-8859-1 maps each byte to one char and back: other lines' bytes (any encoding, even
            // invalid UTF-8) survive untouched. Our lines are UTF-8 (ASCII but for an interface
            // name): the predicate sees each line decoded as UTF-8, and ours are added as their
            // UTF-8 bytes.
            String before = new String(old, StandardCharsets.ISO_8859_1);
            Predicate<String> oursAsUtf8 = l -> ours.test(
                    new String(l.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            List<String> addAsBytes = add.stream()
                    .map(a -> new String(a.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)).toList();
            String after = rewrite(before, oursAsUtf8, addAsBytes);
            if (after.equals(before)) {
                return lastWrite = HostsSync.WriteMode.UNCHANGED;
            }
            return lastWrite = write(target, after.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** The text with {@code ours}' lines removed and {@code add} appended. */
    static String rewrite(String text, Predicate<String> ours, List<String> add) {
        List<String> kept = new ArrayList<>();
        boolean lastTerminated = true;
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            String bare = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (!ours.test(bare)) {
                kept.add(line);
                lastTerminated = nl >= 0;
            }
            start = nl < 0 ? text.length() : nl + 1;
        }
        StringBuilder sb = new StringBuilder(text.length() + 64 * add.size());
        for (int i = 0; i < kept.size(); i++) {
            sb.append(kept.get(i));
            if (i < kept.size() - 1 || lastTerminated || !add.isEmpty()) {
                sb.append('\n');
            }
        }
        for (String a : add) {
            sb.append(a).append('\n');
        }
        return sb.toString();
    }

    private Path resolve() throws IOException {
        try {
            return path.toRealPath();
        } catch (NoSuchFileException e) {
            return path.toAbsolutePath();
        }
    }

    private static HostsSync.WriteMode write(Path target, byte[] content) throws IOException {
        if (!Files.isDirectory(target.getParent())) {
            throw new NoSuchFileException(target.getParent().toString(), null, "the hosts file's directory does not exist");
        }
        try {
            replace(target, content);
            return HostsSync.WriteMode.RENAMED;
        } catch (CannotReplace e) {
            if (!Files.exists(target)) {
                throw (IOException) e.getCause();
            }
            LOG.log(System.Logger.Level.DEBUG, "replacing {0} by rename failed ({1}); rewriting it in place",
                    target, e.getCause().toString());
            writeInPlace(target, content);
            return HostsSync.WriteMode.IN_PLACE;
        }
    }

    /**
     * Replacing by rename is not possible here, though the disk is fine: the rename failed
     * ({@code EBUSY} of a bind mount, {@code EXDEV}...), or the directory refuses a new file or
     * the owner cannot be kept (no permission, a read-only directory over a writable bind mount).
     * Only this falls back to writing in place; any other failure — {@code ENOSPC}, {@code EIO}
     * writing the temporary file — is thrown, since the same write in place could leave the
     * file half old, half new.
     */
    private static final class CannotReplace extends IOException {
        CannotReplace(IOException cause) {
            super(cause);
        }
    }

    private static boolean noPermission(IOException e) {
        if (e instanceof AccessDeniedException) {
            return true;
        }
        String reason = e instanceof FileSystemException f ? f.getReason() : null;
        return "Operation not permitted".equals(reason) || "Read-only file system".equals(reason);
    }

    private static void replace(Path target, byte[] content) throws IOException {
        Path dir = target.getParent();
        PosixFileAttributes attrs = Files.exists(target) ? Files.readAttributes(target, PosixFileAttributes.class) : null;
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".cunicu4j");
        } catch (IOException e) {
            throw noPermission(e) ? new CannotReplace(e) : e;
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeFully(ch, content);
                ch.force(true);
            }
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            view.setPermissions(attrs == null ? DEFAULT_MODE : attrs.permissions());
            if (attrs != null) {
                try {
                    keepOwner(view, attrs.owner(), attrs.group());
                } catch (IOException e) {
                    throw noPermission(e) ? new CannotReplace(e) : e;
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new CannotReplace(new FileSystemException(target.toString(), null,
                        "rename is not atomic here: " + e.getMessage()));
            } catch (IOException e) {
                throw new CannotReplace(e);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void keepOwner(PosixFileAttributeView view, UserPrincipal owner, GroupPrincipal group) throws IOException {
        PosixFileAttributes now = view.readAttributes();
        if (!now.owner().equals(owner)) {
            view.setOwner(owner);
        }
        if (!now.group().equals(group)) {
            view.setGroup(group);
        }
    }

    private static void writeInPlace(Path target, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            writeFully(ch, content);
            ch.truncate(content.length);
            ch.force(true);
        }
    }

    private static void writeFully(FileChannel ch, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        long pos = 0;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }
}
