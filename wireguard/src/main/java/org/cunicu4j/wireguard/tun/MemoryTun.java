package org.cunicu4j.wireguard.tun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link Tun} for tests: {@link #inject} hands the device a packet as if an
 * application had sent it, {@link #take} returns what the device delivered. Allocates per
 * packet (test use only).
 *
 * <p>Threading: any thread may inject and take; the device reads and writes as {@link Tun} says.
 */
public final class MemoryTun implements Tun {
    private static final byte[] CLOSED = new byte[0];

    private final String name;
    private final int mtu;
    private final BlockingQueue<byte[]> toDevice = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> fromDevice = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    public MemoryTun(String name, int mtu) {
        this.name = name;
        this.mtu = mtu;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** Queues {@code packet} (copied) for the device to read. */
    public void inject(byte[] packet) {
        toDevice.add(packet.clone());
    }

    /** The next packet the device wrote, or null after {@code timeout}. */
    public byte[] take(Duration timeout) throws InterruptedException {
        return fromDevice.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next packet the device wrote, or null when there is none now. */
    public byte[] poll() {
        return fromDevice.poll();
    }

    @Override
    public int read(ByteBuffer[] buffers, int max) throws IOException {
        int n = 0;
        try {
            byte[] p = closed ? CLOSED : toDevice.take();
            while (p != null && n < max) {
                if (p == CLOSED) {
                    toDevice.add(CLOSED);
                    if (n == 0) {
                        throw new ClosedChannelException();
                    }
                    break;
                }
                ByteBuffer b = buffers[n++];
                int pos = b.position();
                int len = Math.min(p.length, b.remaining());
                b.put(p, 0, len).limit(pos + len).position(pos);
                p = n < max ? toDevice.poll() : null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClosedChannelException();
        }
        return n;
    }

    @Override
    public boolean write(ByteBuffer packet) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        byte[] p = new byte[packet.remaining()];
        packet.duplicate().get(p);
        fromDevice.add(p);
        return true;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            toDevice.add(CLOSED);
        }
    }
}
