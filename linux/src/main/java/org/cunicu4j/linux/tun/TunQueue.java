package org.cunicu4j.linux.tun;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.WakeableFd;

/**
 * One queue (one fd) of a TUN device: reads and writes whole IP packets, one per call.
 *
 * <p>Threading: one reader and one writer may use a queue at the same time; {@link #close()}
 * may be called from any thread and wakes a reader blocked in {@link #read}, which then
 * throws {@link ClosedChannelException}. Reads and writes allocate nothing on the Java heap
 * beyond the buffer's segment view, which escape analysis removes.
 */
public final class TunQueue implements AutoCloseable {
    private static final MethodHandle READ = Libc.downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = Libc.downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private final WakeableFd fd;
    private final String readCall;
    private final String writeCall;

    TunQueue(WakeableFd fd) {
        this.fd = fd;
        this.readCall = "read(" + fd.description() + ")";
        this.writeCall = "write(" + fd.description() + ")";
    }

    /**
     * Reads one packet into {@code dst} from its position, blocking until one arrives, and
     * advances the position. A packet longer than {@code dst.remaining()} is truncated, so
     * give at least the MTU.
     *
     * @param dst a direct buffer
     * @return the number of bytes read
     * @throws ClosedChannelException if the queue is or gets closed
     */
    public int read(ByteBuffer dst) throws IOException {
        requireDirect(dst);
        int n = read(MemorySegment.ofBuffer(dst));
        dst.position(dst.position() + n);
        return n;
    }

    /** Reads one packet into native memory {@code dst}, blocking; returns its length. */
    public int read(MemorySegment dst) throws IOException {
        int raw = fd.acquire();
        try {
            while (true) {
                long n = (long) READ.invokeExact(Libc.errnoState(), raw, dst, dst.byteSize());
                if (n >= 0) {
                    return (int) n;
                }
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) {
                    fd.awaitReadable();
                } else if (errno != Errno.EINTR) {
                    throw failure(readCall, errno);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            fd.release();
        }
    }

    /**
     * Writes the bytes from {@code src}'s position to its limit as one IP packet and
     * advances the position.
     *
     * @param src a direct buffer holding an IPv4 or IPv6 packet
     */
    public int write(ByteBuffer src) throws IOException {
        requireDirect(src);
        int n = write(MemorySegment.ofBuffer(src));
        src.position(src.position() + n);
        return n;
    }

    /** Writes native memory {@code src} as one IP packet; returns the bytes written. */
    public int write(MemorySegment src) throws IOException {
        int raw = fd.acquire();
        try {
            while (true) {
                long n = (long) WRITE.invokeExact(Libc.errnoState(), raw, src, src.byteSize());
                if (n >= 0) {
                    return (int) n;
                }
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) {
                    fd.awaitWritable();
                } else if (errno != Errno.EINTR) {
                    throw failure(writeCall, errno);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            fd.release();
        }
    }

    public boolean isClosed() {
        return fd.isClosed();
    }

    /** Closes this queue's fd, waking a blocked reader. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    private IOException failure(String call, int errno) {
        if (errno == Errno.EBADF && fd.isClosed()) {
            return new ClosedChannelException();
        }
        return new LinuxException(call, errno);
    }

    private static void requireDirect(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("TUN I/O needs a direct ByteBuffer");
        }
    }
}
