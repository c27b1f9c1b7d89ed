package org.cunicu4j.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Marks an interface as managed by this process: an exclusive {@code flock}-style lock on
 * {@code <dir>/<ifname>.lock} that holds our pid. A second daemon on the same interface
 * fails to take it and is told which pid holds it; the kernel drops the lock when the
 * process dies, so a stale file from a crashed daemon never blocks a new one.
 *
 * <p>Owned by the {@link Daemon}; {@link #close()} releases the lock and deletes the file.
 * Thread-safe.
 */
final class InterfaceLock implements AutoCloseable {
    /** Where lock files live unless configured otherwise. */
    static final Path DEFAULT_DIRECTORY = Path.of("/var/run/cunicu4j");

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private InterfaceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code ifname} in {@code dir}. */
    static Path fileOf(Path dir, String ifname) {
        return dir.resolve(ifname + ".lock");
    }

    /**
     * Takes the lock of {@code ifname}.
     *
     * @throws DaemonException "interface wg0 is already managed by cunicu4j daemon pid N" when another process holds it
     * @throws IOException when the file cannot be created (named)
     */
    static InterfaceLock acquire(Path dir, String ifname) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path file = fileOf(dir, ifname);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this JVM (another Daemon object in the same process)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = readPid(ch);
            ch.close();
            throw new DaemonException("interface " + ifname + " is already managed by cunicu4j daemon pid " + holder
                    + " (lock file " + file + ")");
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(pid), 0);
            ch.force(false);
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw new IOException("cannot write our pid to " + file + ": " + e.getMessage(), e);
        }
        return new InterfaceLock(file, ch, lock);
    }

    private static String readPid(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            int n = ch.read(b, 0);
            String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? "unknown" : s;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The lock file. */
    Path file() {
        return file;
    }

    /** Deletes the file and releases the lock (in that order, so no one locks a file about to vanish). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the lock goes with the channel anyway
        }
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
