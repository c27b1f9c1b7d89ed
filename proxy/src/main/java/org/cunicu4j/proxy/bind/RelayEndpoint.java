package org.cunicu4j.proxy.bind;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * endpoint's synthetic source address ({@code 100::<generation>:<slot>} port
 * {@value ProxyBind#SYNTHETIC_PORT}: the slot is a small index into the Bind's table of
 * relayed endpoints, reused after a close; the generation, new for every endpoint, keeps a
 * datagram of a closed endpoint still in the queue from being taken for its successor's).
 *
 * <p>{@link #address()} is the peer's real address on the relay path, and it follows the
 * agent: it is the connection's <em>currently</em> selected remote candidate (the one
 * before, while none is selected), so the device's status shows where the peer is reached
 * through the relay now, not where it was when this endpoint was made. It is for display
 * and status only: sends go to the connection whatever it says.
 *
 * <p>Ownership: made by {@link ProxyBind#relay}, owned by its maker (BindProxy's per-peer
 * proxy); it owns the connection it was given and closes it in {@link #close()}, which
 * wakes and ends the pump. Threading: {@link #send} and {@link #matches} from any thread,
 * allocation-free; the pump is one platform thread; what is not WireGuard, what the Bind
 * cannot take (closed, re-opening, queue full) and connection errors are counted in
 * {@link #stats()}'s {@code dropped}, never ending the pump. A connection closed under the
 * pump (by the agent, say) closes this endpoint: it leaves the Bind's table and
 * {@link #isClosed()} turns true.
 */
public final class RelayEndpoint implements Endpoint, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayEndpoint.class.getName());
    private static final int PUMP_BATCH = 16;

    private final ProxyBind bind;
    private final int slot;
    private final byte[] synthetic;
    private final PacketConn conn;
    private final Supplier<InetSocketAddress> remote;
    private final Thread pump;
    private final int sendBatchSize;
    private volatile InetSocketAddress lastRemote;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    RelayEndpoint(ProxyBind bind, int slot, int generation, PacketConn conn, Supplier<InetSocketAddress> remote, int sendBatchSize) {
        this.bind = bind;
        this.slot = slot;
        this.conn = Objects.requireNonNull(conn, "conn");
        this.remote = Objects.requireNonNull(remote, "remote");
        this.sendBatchSize = sendBatchSize;
        this.synthetic = syntheticAddress(slot, generation);
        this.pump = Thread.ofPlatform().daemon().name("proxy-relay-pump " + slot + "." + generation).unstarted(this::pumpLoop);
    }

    void start() {
        pump.start();
    }

    /** {@code 100::/64} with {@code generation} in bytes 8..11 and {@code slot} in the last four. */
    static byte[] syntheticAddress(int slot, int generation) {
        byte[] a = new byte[16];
        a[0] = 0x01;
        putInt(a, 8, generation);
        putInt(a, 12, slot);
        return a;
    }

    private static void putInt(byte[] a, int at, int v) {
        a[at] = (byte) (v >>> 24);
        a[at + 1] = (byte) (v >>> 16);
        a[at + 2] = (byte) (v >>> 8);
        a[at + 3] = (byte) v;
    }

    private static int getInt(byte[] a, int at) {
        return (a[at] & 0xff) << 24 | (a[at + 1] & 0xff) << 16 | (a[at + 2] & 0xff) << 8 | (a[at + 3] & 0xff);
    }

    /** The slot in a synthetic address. */
    static int slotOf(byte[] synthetic) {
        return getInt(synthetic, 12);
    }

    /** The generation in a synthetic address. */
    static int generationOf(byte[] synthetic) {
        return getInt(synthetic, 8);
    }

    ProxyBind bind() {
        return bind;
    }

    int slot() {
        return slot;
    }

    /** The pump thread (tests). */
    Thread pumpThread() {
        return pump;
    }

    /** The synthetic source address's raw bytes (borrowed: tests and the Bind only). */
    byte[] syntheticBytes() {
        return synthetic;
    }

    /** The synthetic source address of this endpoint's datagrams in the device's receive batches (a copy). */
    public InetSocketAddress syntheticAddress() {
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(synthetic), ProxyBind.SYNTHETIC_PORT);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The peer's address on the relay path as the connection's selected pair has it now
     * (the last one known when none is selected): it follows the agent's pair changes.
     */
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
        if (closed.get()) {
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
        while (!closed.get()) {
            int n;
            try {
                n = conn.receive(in);
            } catch (ClosedChannelException e) {
                close(); // closed under us (the agent's connection went away): leave the Bind's table too
                return;
            } catch (IOException | RuntimeException e) {
                dropped.increment();
                if (closed.get()) {
                    return;
                }
                LOG.log(System.Logger.Level.DEBUG, "relay pump {0}: {1}", slot, e);
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
        return closed.get();
    }

    /** Forgets this endpoint in the Bind, closes the connection (ending the pump) and waits briefly for the pump. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
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
        return "RelayEndpoint[" + slot + "." + generationOf(synthetic) + " → " + address() + (closed.get() ? ", closed" : "") + "]";
    }
}
