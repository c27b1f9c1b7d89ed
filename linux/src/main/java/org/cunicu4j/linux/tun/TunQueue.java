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
 * throws {@link ClosedChannelException}. Reads and writes allocate nothing: the native
 * address of the reader's and of the writer's last buffer is kept, so a loop that reuses
 * its buffer makes no segment per packet.
 *
 * <p>A packet that does not fit the buffer given to {@link #read} is truncated (the rest is
 * lost, and TUN does not say so): give {@code MTU + 1} bytes or more, and a read that fills
 * the whole buffer means the packet was cut.
 */
public final class TunQueue implements AutoCloseable {
    private static final MethodHandle READ = Libc.downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = Libc.downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    /** The same calls with the buffer as a raw address, for the cached addresses of ByteBuffers. */
    private static final MethodHandle READ_AT = Libc.downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE_AT = Libc.downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    /** "File descriptor in bad state": the TUN device behind the fd is gone. */
    private static final int EBADFD = 77;

    private final WakeableFd fd;
    private final String readCall;
    private final String writeCall;
    /** The reader's last buffer and its native base address (reader thread only). */
    private ByteBuffer readBuffer;
    private long readBase;
    /** The writer's last buffer and its native base address (writer thread only). */
    private ByteBuffer writeBuffer;
    private long writeBase;

    TunQueue(WakeableFd fd) {
        this.fd = fd;
        this.readCall = "read(" + fd.description() + ")";
        this.writeCall = "write(" + fd.description() + ")";
    }

    /**
     * Reads one packet into {@code dst} from its position, blocking until one arrives, and
     * advances the position. A packet longer than {@code dst.remaining()} is truncated
     * without notice: give {@code MTU + 1} bytes, so that a read filling all of them shows
     * the cut.
     *
     * @param dst a direct buffer
     * @return the number of bytes read
     * @throws ClosedChannelException if the queue is or gets closed
     */
    public int read(ByteBuffer dst) throws IOException {
        if (dst != readBuffer) {
            readBase = baseOf(dst);
            readBuffer = dst;
        }
        int pos = dst.position();
        int n = (int) transfer(null, readBase + pos, dst.remaining(), false);
        dst.position(pos + n);
        return n;
    }

    /** Reads one packet into native memory {@code dst}, blocking; returns its length (truncated as {@link #read(ByteBuffer)}). */
    public int read(MemorySegment dst) throws IOException {
        return (int) transfer(dst, 0, dst.byteSize(), false);
    }

    /**
     * Writes the bytes from {@code src}'s position to its limit as one IP packet and
     * advances the position by what was written.
     *
     * @param src a direct buffer holding an IPv4 or IPv6 packet
     * @return the bytes written, or {@code -errno} when the kernel refused this packet alone
     *     ({@code EINVAL} for a malformed packet, {@code EIO} while the device is down, ...),
     *     so that a forwarding loop can count it and go on; the position is then unchanged
     * @throws ClosedChannelException if the queue is or gets closed
     * @throws LinuxException only when the fd itself is broken ({@code EBADF}, {@code EBADFD}, {@code EFAULT})
     */
    public int write(ByteBuffer src) throws IOException {
        if (src != writeBuffer) {
            writeBase = baseOf(src);
            writeBuffer = src;
        }
        int pos = src.position();
        int n = (int) transfer(null, writeBase + pos, src.remaining(), true);
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }

    /** Writes native memory {@code src} as one IP packet; returns the bytes written or {@code -errno}, as {@link #write(ByteBuffer)}. */
    public int write(MemorySegment src) throws IOException {
        return (int) transfer(src, 0, src.byteSize(), true);
    }

    /**
     * One {@code read} or {@code write} of {@code len} bytes of {@code segment}, or when that
     * is null at native address {@code at} (of a buffer this queue keeps referenced), holding
     * the fd and waiting in {@code poll} on EAGAIN. A write refused for the packet alone
     * returns {@code -errno}; anything else that fails throws.
     */
    private long transfer(MemorySegment segment, long at, long len, boolean write) throws IOException {
        int raw = fd.acquire();
        try {
            while (true) {
                long n;
                if (segment != null) {
                    n = write ? (long) WRITE.invokeExact(Libc.errnoState(), raw, segment, len)
                            : (long) READ.invokeExact(Libc.errnoState(), raw, segment, len);
                } else {
                    n = write ? (long) WRITE_AT.invokeExact(Libc.errnoState(), raw, at, len)
                            : (long) READ_AT.invokeExact(Libc.errnoState(), raw, at, len);
                }
                if (n >= 0) {
                    return n;
                }
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) {
                    if (write) {
                        fd.awaitWritable();
                    } else {
                        fd.awaitReadable();
                    }
                } else if (errno == Errno.EINTR) {
                    continue;
                } else if (write && errno != Errno.EBADF && errno != EBADFD && errno != Errno.EFAULT) {
                    return -errno;
                } else {
                    throw fd.failure(write ? writeCall : readCall, errno);
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

    private static long baseOf(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("TUN I/O needs a direct ByteBuffer");
        }
        return MemorySegment.ofBuffer(buffer.duplicate().clear()).address();
    }

    public boolean isClosed() {
        return fd.isClosed();
    }

    /** Closes this queue's fd, waking a blocked reader. Idempotent. */
    @Override
    public void close() {
        fd.close();
    }

}
