package org.cunicu4j.linux.tun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.WakeableFd;

/**
 * A layer-3 TUN interface ({@code IFF_TUN|IFF_NO_PI}: every read and write is one bare
 * IPv4 or IPv6 packet), created in the calling thread's network namespace or attached to an
 * existing one of the same name.
 *
 * <p>A device owns one or more {@link TunQueue}s (more only with multi-queue, where the
 * kernel spreads packets over the queues by flow). {@link #read}/{@link #write} use the first
 * queue. The interface is not persistent: it disappears when its last queue closes.
 *
 * <p>Threading: as {@link TunQueue}; {@link #close()} may be called from any thread and wakes
 * blocked readers.
 */
public final class TunDevice implements AutoCloseable {
    private final String name;
    private final int index;
    private final List<TunQueue> queues;

    private TunDevice(String name, int index, List<TunQueue> queues) {
        this.name = name;
        this.index = index;
        this.queues = List.copyOf(queues);
    }

    /**
     * Creates (or attaches to) the single-queue TUN interface {@code name}.
     *
     * @param name at most 15 bytes; {@code %d} lets the kernel pick a number ({@code "tun%d"})
     * @throws IllegalArgumentException for a name Linux would not accept
     * @throws LinuxException e.g. EPERM without CAP_NET_ADMIN, with a hint saying so
     */
    public static TunDevice open(String name) throws LinuxException {
        return open(name, 1, false);
    }

    /** Creates (or attaches to) the multi-queue TUN interface {@code name} with {@code queues} queues. */
    public static TunDevice openMultiQueue(String name, int queues) throws LinuxException {
        if (queues < 1) {
            throw new IllegalArgumentException("a TUN device needs at least one queue, got " + queues);
        }
        return open(name, queues, true);
    }

    private static TunDevice open(String name, int count, boolean multiQueue) throws LinuxException {
        TunIoctl.validateName(name);
        List<TunQueue> opened = new ArrayList<>(count);
        try {
            String actual = name;
            for (int i = 0; i < count; i++) {
                TunIoctl.Attached a = TunIoctl.attach(actual, multiQueue);
                actual = a.name();
                String what = "TUN " + actual + (multiQueue ? " queue " + i : "");
                opened.add(new TunQueue(new WakeableFd(a.fd(), what)));
            }
            return new TunDevice(actual, TunIoctl.indexOf(actual), opened);
        } catch (LinuxException | RuntimeException e) {
            opened.forEach(TunQueue::close);
            throw e;
        }
    }

    /** The interface name the kernel reports (the given one, or the one {@code %d} became). */
    public String name() {
        return name;
    }

    /** The interface index in the namespace the device was created in. */
    public int index() {
        return index;
    }

    /** The queues, in the order they were attached; one unless multi-queue. */
    public List<TunQueue> queues() {
        return queues;
    }

    /** Reads one packet from the first queue; see {@link TunQueue#read(ByteBuffer)}. */
    public int read(ByteBuffer dst) throws IOException {
        return queues.getFirst().read(dst);
    }

    /** Writes one packet to the first queue; see {@link TunQueue#write(ByteBuffer)}. */
    public int write(ByteBuffer src) throws IOException {
        return queues.getFirst().write(src);
    }

    /** Closes every queue (waking blocked readers); the interface then disappears. Idempotent. */
    @Override
    public void close() {
        queues.forEach(TunQueue::close);
    }

    @Override
    public String toString() {
        return "TUN " + name + " (index " + index + ", " + queues.size() + " queue" + (queues.size() == 1 ? ")" : "s)");
    }
}
