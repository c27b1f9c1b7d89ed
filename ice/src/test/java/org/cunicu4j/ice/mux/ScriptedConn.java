package org.cunicu4j.ice.mux;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * A test {@link PacketConn} whose inbound datagrams come from any source address the test
 * injects, and whose sends are recorded: what a mux sees on a port many peers talk to.
 */
final class ScriptedConn implements PacketConn {
    record Datagram(byte[] data, InetSocketAddress address) {}

    private static final Datagram CLOSE = new Datagram(new byte[0], null);
    private final InetSocketAddress local;
    private final LinkedBlockingQueue<Datagram> inbound = new LinkedBlockingQueue<>();
    private final List<Datagram> sent = new ArrayList<>();
    private volatile boolean closed;

    ScriptedConn(InetSocketAddress local) {
        this.local = local;
    }

    void inject(byte[] data, InetSocketAddress from) {
        inbound.add(new Datagram(data.clone(), from));
    }

    synchronized List<Datagram> sent() {
        return List.copyOf(sent);
    }

    @Override
    public int receive(PacketBatch batch) throws ClosedChannelException {
        Datagram d;
        try {
            d = inbound.take();
        } catch (InterruptedException e) {
            throw new ClosedChannelException();
        }
        int n = 0;
        while (true) {
            if (d == CLOSE || closed) {
                inbound.add(CLOSE);
                if (n > 0) {
                    break;
                }
                throw new ClosedChannelException();
            }
            batch.buffer(n).clear().put(d.data()).flip();
            batch.setAddress(n, d.address());
            n++;
            if (n == batch.capacity() || (d = inbound.poll()) == null) {
                break;
            }
        }
        batch.setCount(n);
        return n;
    }

    @Override
    public synchronized int send(PacketBatch batch) throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        for (int i = 0; i < batch.count(); i++) {
            ByteBuffer b = batch.buffer(i);
            byte[] copy = new byte[b.remaining()];
            b.get(b.position(), copy);
            sent.add(new Datagram(copy, batch.address(i)));
        }
        return batch.count();
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public int preferredBatchSize() {
        return 8;
    }

    @Override
    public void close() {
        closed = true;
        inbound.add(CLOSE);
    }
}
