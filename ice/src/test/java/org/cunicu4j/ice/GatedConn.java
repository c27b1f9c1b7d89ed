package org.cunicu4j.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.testing.MemoryPacketConn;

/**
 * A {@link MemoryPacketConn} end that a test can cut ({@link #block}) and that counts the
 * datagrams in flight on a shared counter, so the harness knows when every reader has
 * handled what was sent (a datagram counts until its reader comes back for more).
 */
final class GatedConn implements PacketConn {
    private final MemoryPacketConn inner;
    private final AtomicLong inFlight;
    private final AtomicLong indicationsSent = new AtomicLong();
    private volatile boolean blocked;
    private int lastReturned;

    GatedConn(MemoryPacketConn inner, AtomicLong inFlight) {
        this.inner = inner;
        this.inFlight = inFlight;
    }

    void block(boolean b) {
        blocked = b;
    }

    long indicationsSent() {
        return indicationsSent.get();
    }

    MemoryPacketConn inner() {
        return inner;
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        inFlight.addAndGet(-lastReturned);
        lastReturned = 0;
        while (true) {
            int n;
            try {
                n = inner.receive(batch);
            } catch (IOException e) {
                throw e;
            }
            if (blocked) {
                inFlight.addAndGet(-n);
                continue;
            }
            lastReturned = n;
            return n;
        }
    }

    @Override
    public int send(PacketBatch batch) throws IOException {
        int n = batch.count();
        if (blocked) {
            return n;
        }
        InetSocketAddress peer = inner.peer().localAddress();
        for (int i = 0; i < n; i++) {
            if (batch.addressEquals(i, peer)) {
                inFlight.incrementAndGet();
                ByteBuffer b = batch.buffer(i);
                if (b.remaining() >= 2 && b.getShort(b.position()) == 0x0011) {
                    indicationsSent.incrementAndGet();
                }
            }
        }
        return inner.send(batch);
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public void close() {
        inner.close();
    }
}
