package org.cunicu4j.proxy.bind;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.wireguard.conn.Endpoint;

/**
 * A {@link ProxyBind} endpoint that goes through a relayed connection (an ICE agent's
 * {@code IceConnection} on a TURN relay pair) instead of a socket: {@link ProxyBind#send}
 * to it calls the connection's send, and a pump thread of its own copies every WireGuard
 * datagram the connection receives into the Bind's relay receive function, with this
 * endpoint's synthetic source address ({@code 100::<id>} port
 * {@value ProxyBind#SYNTHETIC_PORT}). {@link #address()} is the peer's real address on the
 * relay path (the selected remote candidate).
 *
 * <p>Ownership: made by {@link ProxyBind#relay}, owned by its maker (BindProxy's per-peer
 * proxy); it owns the connection it was given and closes it in {@link #close()}, which
 * wakes and ends the pump. Threading: {@link #send} and {@link #matches} from any thread,
 * allocation-free; the pump is one platform thread; what is not WireGuard, what the Bind
 * cannot take (closed, re-opening, queue full) and connection errors are counted in
 * {@link #stats()}'s {@code dropped}, never ending the pump.
 */
public final class RelayEndpoint implements Endpoint, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayEndpoint.class.getName());
    private static final int PUMP_BATCH = 16;

    private final ProxyBind bind;
    private final int id;
    private final byte[] synthetic;
    private final PacketConn conn;
    private final Supplier<InetSocketAddress> remote;
    private final Thread pump;
    private final int sendBatchSize;
    private volatile InetSocketAddress lastRemote;
    private volatile boolean closed;

    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    RelayEndpoint(ProxyBind bind, int id, PacketConn conn, Supplier<InetSocketAddress> remote, int sendBatchSize) {
        this.bind = bind;
        this.id = id;
        this.conn = Objects.requireNonNull(conn, "conn");
        this.remote = Objects.requireNonNull(remote, "remote");
        this.sendBatchSize = sendBatchSize;
        this.synthetic = syntheticAddress(id);
        this.pump = Thread.ofPlatform().daemon().name("proxy-relay-pump " + id).unstarted(this::pumpLoop);
    }

    void start() {
        pump.start();
    }

    /** {@code 100::/64} with {@code id} in the last four bytes. */
    static byte[] syntheticAddress(int id) {
        byte[] a = new byte[16];
        a[0] = 0x01;
        a[12] = (byte) (id >>> 24);
        a[13] = (byte) (id >>> 16);
        a[14] = (byte) (id >>> 8);
        a[15] = (byte) id;
        return a;
    }

    /** The id in a synthetic address. */
    static int idOf(byte[] synthetic) {
        return (synthetic[12] & 0xff) << 24 | (synthetic[13] & 0xff) << 16 | (synthetic[14] & 0xff) << 8 | (synthetic[15] & 0xff);
    }

    ProxyBind bind() {
        return bind;
    }

    int id() {
        return id;
    }

    /** The synthetic source address of this endpoint's datagrams in the device's receive batches (a copy). */
    public InetSocketAddress syntheticAddress() {
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(synthetic), ProxyBind.SYNTHETIC_PORT);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The peer's address on the relay path (the last one known when the connection has none selected now). */
    @Override
    public InetSocketAddress address() {
        InetSocketAddress a = remote.get();
        if (a != null) {
            lastRemote = a;
            return a;
        }
        return lastRemote;
    }

    @Override
    public boolean matches(PacketBatch batch, int slot) {
        return batch.addressLength(slot) == 16 && batch.port(slot) == ProxyBind.SYNTHETIC_PORT
                && Arrays.equals(batch.addressBytes(slot), 0, 16, synthetic, 0, 16);
    }

    /** Sends the batch through the connection; failures and sends after close are counted, never thrown. */
    void send(PacketBatch batch) {
        int n = batch.count();
        if (closed) {
            dropped.add(n);
            return;
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += batch.buffer(i).remaining();
        }
        try {
            conn.send(batch);
            txPackets.add(n);
            txBytes.add(bytes);
        } catch (IOException | RuntimeException e) {
            dropped.add(n);
        }
    }

    private void pumpLoop() {
        PacketBatch in = new PacketBatch(Math.max(1, Math.min(PUMP_BATCH, sendBatchSize)), ProxyBind.RELAY_SLOT_SIZE);
        while (!closed) {
            int n;
            try {
                n = conn.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                dropped.increment();
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.DEBUG, "relay pump {0}: {1}", id, e);
                continue;
            }
            for (int i = 0; i < n; i++) {
                ByteBuffer b = in.buffer(i);
                int len = b.remaining();
                if (PacketClassifier.classify(b) != PacketClassifier.Kind.WIREGUARD || !bind.inject(b, synthetic)) {
                    dropped.increment();
                    continue;
                }
                rxPackets.increment();
                rxBytes.add(len);
            }
        }
    }

    /** What went through this endpoint: tx towards the peer (sent on the relay), rx injected into the device. */
    public ProxyStats stats() {
        return new ProxyStats(txPackets.sum(), txBytes.sum(), rxPackets.sum(), rxBytes.sum(), dropped.sum());
    }

    /** True once closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Forgets this endpoint in the Bind, closes the connection (ending the pump) and waits briefly for the pump. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        bind.forget(this);
        conn.close();
        if (Thread.currentThread() != pump) {
            try {
                pump.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "RelayEndpoint[" + id + " → " + address() + (closed ? ", closed" : "") + "]";
    }
}
