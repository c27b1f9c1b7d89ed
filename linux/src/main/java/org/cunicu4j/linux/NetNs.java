package org.cunicu4j.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code inside a named network namespace ({@code /var/run/netns/NAME}, as made by
 * {@code ip netns add}).
 *
 * <p>A network namespace belongs to a thread, so the code runs on a fresh platform thread
 * that first calls {@code setns(fd, CLONE_NEWNET)}. Sockets, TUN devices and netlink
 * sockets created there stay in that namespace and may be used from any thread later.
 */
public final class NetNs {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final MethodHandle OPEN = Libc.downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = Libc.downcall("setns",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private NetNs() {}

    /** Calls {@code task} on a new thread inside namespace {@code name} and returns its result. */
    public static <T> T call(String name, Callable<T> task) throws Exception {
        FutureTask<T> future = new FutureTask<>(() -> {
            enter(name);
            return task.call();
        });
        Thread thread = Thread.ofPlatform().name("netns-" + name).daemon().start(future);
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } finally {
            thread.join();
        }
    }

    /** Moves the calling thread into namespace {@code name}. Use on a thread of your own. */
    public static void enter(String name) throws LinuxException {
        String path = "/var/run/netns/" + name;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = arena.allocateFrom(path);
            int fd = (int) OPEN.invokeExact(Libc.errnoState(), cpath, O_RDONLY | O_CLOEXEC);
            LinuxException.check(fd, "open(\"" + path + "\", O_RDONLY|O_CLOEXEC)");
            try {
                int rc = (int) SETNS.invokeExact(Libc.errnoState(), fd, CLONE_NEWNET);
                if (rc < 0) {
                    int errno = Libc.errno();
                    throw new LinuxException("setns(" + fd + ", CLONE_NEWNET)", errno,
                            errno == Errno.EPERM ? "entering a network namespace needs CAP_SYS_ADMIN" : null);
                }
            } finally {
                Libc.closeQuietly(fd);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
