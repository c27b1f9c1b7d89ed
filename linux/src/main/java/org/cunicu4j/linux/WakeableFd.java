package org.cunicu4j.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A non-blocking file descriptor (socket, TUN, netlink) whose blocking waits can be
 * woken by {@link #close()} from another thread.
 *
 * <p>Closing an fd does not wake a thread blocked in {@code read} on it under Linux, so
 * readers never block in the data call itself: the fd is set {@code O_NONBLOCK} and
 * readers wait in {@code poll} on it together with an {@code eventfd}; {@link #close()}
 * signals the eventfd.
 *
 * <p>Every data call on {@link #fd()} is bracketed by {@link #acquire()} and
 * {@link #release()}; the fd itself is closed only when the last user has released it,
 * so a number can never be closed, and reused by another open, under a caller's feet:
 * <pre>{@code
 * int raw = fd.acquire();          // ClosedChannelException once closing
 * try {
 *     while ((n = read(raw, ...)) < 0 && errno == EAGAIN) fd.awaitReadable();
 * } finally {
 *     fd.release();
 * }
 * }</pre>
 * Acquiring and releasing is one atomic update each, without locks.
 */
public final class WakeableFd implements AutoCloseable {
    private static final int O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final short POLLIN = 0x1;
    private static final short POLLOUT = 0x4;

    private static final MethodHandle FCNTL = Libc.downcall("fcntl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle EVENTFD = Libc.downcall("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle POLL = Libc.downcall("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE = Libc.downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    /** struct pollfd { int fd; short events; short revents; } x2, one per waiting thread. */
    private static final ThreadLocal<MemorySegment> POLLFDS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    private final int fd;
    private final int eventFd;
    private final String description;
    /** Users times two, plus one once closing: both change in one atomic step. */
    private final AtomicInteger state = new AtomicInteger();
    private final AtomicBoolean fdClosed = new AtomicBoolean();

    /**
     * Takes ownership of {@code fd} and makes it non-blocking.
     *
     * @param description what the fd is, for error messages ("TUN tun0", "UDP 0.0.0.0:51820")
     */
    public WakeableFd(int fd, String description) throws LinuxException {
        this.fd = fd;
        this.description = description;
        try {
            int flags = LinuxException.check((int) FCNTL.invokeExact(Libc.errnoState(), fd, F_GETFL, 0),
                    "fcntl(" + fd + ", F_GETFL)");
            LinuxException.check((int) FCNTL.invokeExact(Libc.errnoState(), fd, F_SETFL, flags | O_NONBLOCK),
                    "fcntl(" + fd + ", F_SETFL, O_NONBLOCK)");
            this.eventFd = LinuxException.check(
                    (int) EVENTFD.invokeExact(Libc.errnoState(), 0, EFD_CLOEXEC | EFD_NONBLOCK),
                    "eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK)");
        } catch (LinuxException e) {
            Libc.closeQuietly(fd);
            throw e;
        } catch (Throwable t) {
            Libc.closeQuietly(fd);
            throw Libc.rethrow(t);
        }
    }

    /** The raw descriptor: use it only between {@link #acquire()} and {@link #release()}. */
    public int fd() {
        return fd;
    }

    /**
     * Registers a user of the fd and returns it; the fd stays open until the matching
     * {@link #release()}.
     *
     * @throws ClosedChannelException once {@link #close()} has been called
     */
    public int acquire() throws ClosedChannelException {
        while (true) {
            int s = state.get();
            if ((s & 1) != 0) {
                throw new ClosedChannelException();
            }
            if (state.compareAndSet(s, s + 2)) {
                return fd;
            }
        }
    }

    /** Ends a use begun by {@link #acquire()}; the last user out after close closes the fd. */
    public void release() {
        if (state.addAndGet(-2) == 1) {
            closeFds();
        }
    }

    public String description() {
        return description;
    }

    /**
     * The exception for a data call on this fd that failed with {@code errno}: a
     * {@link ClosedChannelException} when the fd was closed under the call (EBADF after
     * {@link #close()}), else a {@link LinuxException} naming {@code call}.
     */
    public IOException failure(String call, int errno) {
        if (errno == Errno.EBADF && isClosed()) {
            return new ClosedChannelException();
        }
        return new LinuxException(call, errno);
    }

    public boolean isClosed() {
        return (state.get() & 1) != 0;
    }

    /**
     * Blocks until the fd is readable.
     *
     * @throws ClosedChannelException if {@link #close()} was called before or during the wait
     */
    public void awaitReadable() throws ClosedChannelException, LinuxException {
        await(POLLIN);
    }

    /** Blocks until the fd is writable (a full socket buffer), or throws once closed. */
    public void awaitWritable() throws ClosedChannelException, LinuxException {
        await(POLLOUT);
    }

    private void await(short events) throws ClosedChannelException, LinuxException {
        acquire();
        try {
            MemorySegment pfds = POLLFDS.get();
            while (true) {
                pfds.set(ValueLayout.JAVA_INT, 0, fd);
                pfds.set(ValueLayout.JAVA_SHORT, 4, events);
                pfds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                pfds.set(ValueLayout.JAVA_INT, 8, eventFd);
                pfds.set(ValueLayout.JAVA_SHORT, 12, POLLIN);
                pfds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
                int n = (int) POLL.invokeExact(Libc.errnoState(), pfds, 2L, -1);
                if (n < 0) {
                    int errno = Libc.errno();
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    throw new LinuxException("poll(" + description + ")", errno);
                }
                if (isClosed() || pfds.get(ValueLayout.JAVA_SHORT, 14) != 0) {
                    throw new ClosedChannelException();
                }
                if (pfds.get(ValueLayout.JAVA_SHORT, 6) != 0) {
                    return;
                }
            }
        } catch (ClosedChannelException | LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            release();
        }
    }

    /**
     * Wakes every waiting thread (they throw {@link ClosedChannelException}) and closes
     * the fd once the last user has released it. Idempotent.
     */
    @Override
    public void close() {
        // Mark closing and count ourselves as a user in one step, so that a reader's
        // release() cannot close the eventfd before we have signalled it.
        int s;
        do {
            s = state.get();
            if ((s & 1) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, (s | 1) + 2));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            long ignored = (long) WRITE.invokeExact(Libc.errnoState(), eventFd, one, 8L);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            release();
        }
    }

    private void closeFds() {
        if (fdClosed.compareAndSet(false, true)) {
            Libc.closeQuietly(fd);
            Libc.closeQuietly(eventFd);
        }
    }
}
