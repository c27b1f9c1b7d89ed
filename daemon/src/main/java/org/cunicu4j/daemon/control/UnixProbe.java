package org.cunicu4j.daemon.control;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.socket.Sockets;

/**
 * Asks whether anything listens on a UNIX stream socket path with one non-blocking
 * {@code connect(2)}, told apart by errno, never by an exception's text: it cannot hang on a
 * daemon that listens but never accepts (a full backlog is {@code EAGAIN}, which means
 * live). Stateless.
 */
final class UnixProbe {
    private UnixProbe() {}

    /** What a probe found. */
    enum Result {
        /** Something accepted the connection or has it pending (a full backlog). */
        LIVE,
        /** The connection was refused: nobody listens (a daemon died and left its socket). */
        STALE,
        /** Nothing is at the path (removed between the caller's checks and the probe). */
        GONE
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SUN_PATH = 108;

    private static final MethodHandle CONNECT = Libc.downcall("connect", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    /**
     * Probes {@code path}.
     *
     * @throws LinuxException for any other failure (e.g. {@code EACCES}: someone else's socket)
     * @throws IllegalArgumentException when the path does not fit a {@code sockaddr_un}
     */
    static Result probe(Path path) throws LinuxException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH) {
            throw new IllegalArgumentException("socket path " + path + " is " + name.length
                    + " bytes; a UNIX socket path must be shorter than " + SUN_PATH);
        }
        int fd = Sockets.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, "0");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(2 + SUN_PATH, 2);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, sa, ValueLayout.JAVA_BYTE, 2, name.length);
            int len = 2 + name.length + 1;
            int rc;
            try {
                rc = (int) CONNECT.invokeExact(Libc.errnoState(), fd, sa, len);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
            if (rc == 0) {
                return Result.LIVE;
            }
            int errno = Libc.errno();
            return switch (errno) {
                case Errno.EAGAIN, Errno.EINPROGRESS -> Result.LIVE; // backlog full / pending: someone listens
                case Errno.ECONNREFUSED -> Result.STALE;
                case Errno.ENOENT -> Result.GONE;
                default -> throw new LinuxException("connect(" + path + ")", errno);
            };
        } finally {
            Libc.closeQuietly(fd);
        }
    }
}
