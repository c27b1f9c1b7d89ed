package org.cunicu4j.proxy.bind;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.PacketQueue;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.BindCounters;
import org.cunicu4j.wireguard.conn.Endpoint;
import org.cunicu4j.wireguard.conn.UdpBind;
import org.cunicu4j.wireguard.conn.UdpBindOptions;

/**
 * The {@link Bind} of BindProxy: a {@link UdpBind} whose datagrams that are not WireGuard
 * wait in a foreign queue behind {@link #sharedConn} (for an ICE {@code UdpMux}), plus
 * <em>relayed endpoints</em> ({@link RelayEndpoint}, made by {@link #relay}): a peer whose
 * ICE pair goes through a TURN relay is sent to through that connection, and what the
 * connection receives enters the device through one extra {@link ReceiveFunc} of this Bind.
 *
 * <p>Relayed datagrams carry a synthetic source address in the device's receive batch: one
 * per relayed endpoint from the discard-only prefix {@code 100::/64} (RFC 6666) and port
 * {@value #SYNTHETIC_PORT}, so {@link Endpoint#matches} and {@link #endpointOf} recognise
 * them without allocating (a lookup in a copy-on-write table indexed by the address's
 * slot), and a peer that roams onto its relay path gets its {@link RelayEndpoint} back.
 * Such an address never reaches a socket: sends to a {@link RelayEndpoint} go to its
 * connection, whatever the slots' addresses say. Since no legitimate datagram comes from
 * {@code 100::/64}, the receive functions of the real sockets drop (and count,
 * {@link #discardSourceDropped}) every one that claims to, so a spoofed source can never be
 * taken for a relayed endpoint.
 *
 * <p>{@link #open} returns the UdpBind's receive functions plus the relay one (a
 * {@link PacketQueue} the relay pumps fill); a re-open closes the old queue (its receive
 * function then throws {@link java.nio.channels.ClosedChannelException}) and makes a new one,
 * and relayed endpoints keep working across it (datagrams arriving in between are dropped
 * and counted). {@link #close()} closes the sockets and the queue but not the relayed
 * endpoints: they belong to whoever made them ({@link RelayEndpoint#close}).
 *
 * <p>Threading as {@link Bind}: {@link #open}, {@link #close}, {@link #setMark} serialised on
 * this object; receive functions, {@link #send}, {@link #endpointOf} concurrent and
 * allocation-free per datagram; {@link #relay} from any thread.
 */
public final class ProxyBind implements Bind {

    /** Datagrams the foreign queue of each family holds by default. */
    public static final int DEFAULT_FOREIGN_QUEUE = 1024;
    /** The port of every synthetic source address. */
    public static final int SYNTHETIC_PORT = 9;
    /** Relayed datagrams waiting for the device's relay receive function. */
    static final int RELAY_QUEUE_SLOTS = 256;
    /** The largest relayed datagram (a jumbo-frame WireGuard message fits). */
    static final int RELAY_SLOT_SIZE = 9216;

    private final UdpBind udp;
    private final Object relayLock = new Object();
    /** Relayed endpoints by slot; copy-on-write under relayLock, read without a lock. */
    private volatile RelayEndpoint[] relays = new RelayEndpoint[0];
    private int relayCount; // guarded by relayLock
    private int generation; // guarded by relayLock
    /** Relayed datagrams the queue refused (full, closed) or that found no queue. */
    private final LongAdder relayOfferDropped = new LongAdder();
    /** The too-big counts of the relay queues of earlier opens (guarded by this). */
    private long retiredTooBig;
    private final LongAdder discardSource = new LongAdder();
    private volatile PacketQueue relayQueue;

    /** A Bind over a UdpBind with the default options and a foreign queue of {@value #DEFAULT_FOREIGN_QUEUE}. */
    public ProxyBind() {
        this(UdpBindOptions.defaults().withForeignQueue(DEFAULT_FOREIGN_QUEUE));
    }

    /**
     * @param options for the UdpBind; must ask for a foreign queue
     *     ({@link UdpBindOptions#withForeignQueue}), which {@link #sharedConn} reads
     */
    public ProxyBind(UdpBindOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.foreignQueue() < 1) {
            throw new IllegalArgumentException("a ProxyBind needs UdpBindOptions with a foreign queue "
                    + "(withForeignQueue(n)): its UdpMux reads what is not WireGuard from it");
        }
        this.udp = new UdpBind(options);
    }

    @Override
    public synchronized Opened open(int port) throws IOException {
        retireRelayQueue();
        Opened opened = udp.open(port);
        PacketQueue q = new PacketQueue(RELAY_QUEUE_SLOTS, RELAY_SLOT_SIZE);
        List<ReceiveFunc> receivers = new ArrayList<>(opened.receivers().size() + 1);
        for (ReceiveFunc rf : opened.receivers()) {
            receivers.add(new SocketReceiver(rf));
        }
        receivers.add(new RelayReceiver(q));
        relayQueue = q;
        return new Opened(receivers, opened.port());
    }

    /**
     * Closes the current relay queue (waking its receive function) and keeps its too-big
     * count, so {@link #relayDropped} never goes backwards. Exact: after its close a queue
     * counts nothing more itself (a late offer is refused as CLOSED and counted here).
     */
    private void retireRelayQueue() {
        PacketQueue old = relayQueue;
        relayQueue = null;
        if (old != null) {
            old.close();
            retiredTooBig += old.tooBig();
        }
    }

    @Override
    public void send(PacketBatch batch, Endpoint endpoint) throws IOException {
        if (endpoint instanceof RelayEndpoint relay) {
            if (relay.bind() != this) {
                throw new IllegalArgumentException("relayed endpoint " + relay + " belongs to another ProxyBind");
            }
            relay.send(batch);
            return;
        }
        udp.send(batch, endpoint);
    }

    @Override
    public Endpoint parseEndpoint(String text) {
        return udp.parseEndpoint(text);
    }

    /**
     * The relayed endpoint for a slot with a synthetic source (null when it was closed
     * meanwhile), else the UdpBind's endpoint for the source.
     */
    @Override
    public Endpoint endpointOf(PacketBatch batch, int slot) {
        if (isSynthetic(batch, slot)) {
            return relayOf(batch, slot);
        }
        return udp.endpointOf(batch, slot);
    }

    /** The open relayed endpoint whose synthetic address the slot holds, or null; does not allocate. */
    RelayEndpoint relayOf(PacketBatch batch, int slot) {
        int i = RelayEndpoint.slotOf(batch.addressBytes(slot));
        RelayEndpoint[] table = relays;
        if (i < 0 || i >= table.length) {
            return null;
        }
        RelayEndpoint r = table[i];
        return r != null && r.matches(batch, slot) ? r : null; // matches checks the generation too
    }

    @Override
    public synchronized void setMark(int mark) throws IOException {
        udp.setMark(mark);
    }

    @Override
    public int batchSize() {
        return udp.batchSize();
    }

    /**
     * A relayed endpoint over {@code conn} (an ICE agent's {@code IceConnection} whose
     * selected pair goes through a TURN relay): sends to it go to {@code conn.send}, and a
     * platform thread pumps what {@code conn} receives into this Bind's relay receive
     * function. The endpoint takes {@code conn}: {@link RelayEndpoint#close()} closes it
     * (the only way to wake the pump).
     *
     * @param remote the peer's address on that path, for {@link Endpoint#address()} (the
     *     selected remote candidate; may return null while there is none)
     */
    public RelayEndpoint relay(PacketConn conn, Supplier<InetSocketAddress> remote) {
        Objects.requireNonNull(conn, "conn");
        Objects.requireNonNull(remote, "remote");
        RelayEndpoint r;
        synchronized (relayLock) {
            RelayEndpoint[] table = relays;
            int free = 0;
            while (free < table.length && table[free] != null) {
                free++;
            }
            RelayEndpoint[] next = Arrays.copyOf(table, Math.max(table.length, free + 1));
            r = new RelayEndpoint(this, free, ++generation, conn, remote, udp.batchSize());
            next[free] = r;
            relays = next;
            relayCount++;
        }
        r.start();
        return r;
    }

    /** Called by the relay pump for one WireGuard datagram; false when it was dropped. */
    boolean inject(ByteBuffer buf, byte[] synthetic) {
        PacketQueue q = relayQueue;
        if (q == null) {
            relayOfferDropped.increment();
            return false;
        }
        return switch (q.offer(buf, buf.position(), buf.remaining(), synthetic, 16, SYNTHETIC_PORT)) {
            case ACCEPTED -> true;
            case TOO_LONG -> false; // in the queue's tooBig
            case FULL, CLOSED -> {
                relayOfferDropped.increment();
                yield false;
            }
        };
    }

    /** Takes {@code r} out of the table (its slot is free for the next relay). */
    void forget(RelayEndpoint r) {
        synchronized (relayLock) {
            RelayEndpoint[] table = relays;
            int i = r.slot();
            if (i >= table.length || table[i] != r) {
                return;
            }
            int len = table.length;
            RelayEndpoint[] next = table.clone();
            next[i] = null;
            while (len > 0 && next[len - 1] == null) {
                len--;
            }
            relays = len == next.length ? next : Arrays.copyOf(next, len);
            relayCount--;
        }
    }

    /** Number of relayed endpoints open. */
    public int relays() {
        synchronized (relayLock) {
            return relayCount;
        }
    }

    /** True when the slot's source is a synthetic relay address ({@code 100::/64}, port {@value #SYNTHETIC_PORT}). */
    static boolean isSynthetic(PacketBatch batch, int slot) {
        return batch.port(slot) == SYNTHETIC_PORT && inDiscardPrefix(batch, slot);
    }

    /**
     * The UdpBind's conn on its socket of {@code family} for an ICE mux: non-WireGuard
     * datagrams from its receive, sends from WireGuard's port (see {@link UdpBind#sharedConn}).
     */
    public PacketConn sharedConn(StandardProtocolFamily family) {
        return udp.sharedConn(family);
    }

    /** The port of the current open, 0 when closed. */
    public int port() {
        return udp.port();
    }

    /** True when the host had IPv6 at the last open. */
    public boolean hasIpv6() {
        return udp.hasIpv6();
    }

    /** The UdpBind's counts. */
    public BindCounters counters() {
        return udp.counters();
    }

    /**
     * Relayed datagrams dropped on their way into the device: the Bind closed or re-opening
     * (no relay queue), the queue full, or too big for it or for the taker's slot. Counts
     * over every open: it never goes backwards.
     */
    public synchronized long relayDropped() {
        PacketQueue q = relayQueue;
        return relayOfferDropped.sum() + retiredTooBig + (q == null ? 0 : q.tooBig());
    }

    /**
     * Datagrams the real sockets received from {@code 100::/64} (RFC 6666, discard-only: the
     * prefix of the synthetic relay sources) and dropped.
     */
    public long discardSourceDropped() {
        return discardSource.sum();
    }

    /** Closes the UdpBind's sockets and the relay queue (waking the receive functions); relayed endpoints stay. Idempotent. */
    @Override
    public synchronized void close() {
        retireRelayQueue();
        udp.close();
    }

    @Override
    public String toString() {
        return "ProxyBind[" + udp + ", " + relays() + " relayed]";
    }

    /** True when the slot's source lies in {@code 100::/64} (any port). */
    static boolean inDiscardPrefix(PacketBatch batch, int slot) {
        if (batch.addressLength(slot) != 16) {
            return false;
        }
        byte[] a = batch.addressBytes(slot);
        return a[0] == 0x01 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0;
    }

    /**
     * A real socket's receive function: the UdpBind's, minus what claims a source in
     * {@code 100::/64} (counted). Compacts the batch in place; allocation-free.
     */
    private final class SocketReceiver implements ReceiveFunc {
        private final ReceiveFunc inner;

        SocketReceiver(ReceiveFunc inner) {
            this.inner = inner;
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            while (true) {
                int n = inner.receive(batch);
                int kept = compactOutDiscardSources(batch, n);
                if (kept > 0) {
                    return kept;
                }
            }
        }

        @Override
        public String toString() {
            return "ProxyBind.SocketReceiver[" + inner + "]";
        }
    }

    /**
     * Drops the slots {@code 0..n-1} whose source lies in {@code 100::/64}, moving the rest
     * down in order; sets and returns the new count. Allocation-free.
     */
    int compactOutDiscardSources(PacketBatch batch, int n) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (inDiscardPrefix(batch, i)) {
                discardSource.increment();
                continue;
            }
            if (kept != i) {
                ByteBuffer from = batch.buffer(i);
                int len = from.remaining();
                batch.buffer(kept).clear().put(0, from, from.position(), len).limit(len);
                batch.copyAddress(i, batch, kept);
            }
            kept++;
        }
        if (kept > 0) {
            batch.setCount(kept);
        }
        return kept;
    }

    /** The relay receive function of one open: relayed WireGuard datagrams with their synthetic sources. */
    private static final class RelayReceiver implements ReceiveFunc {
        private final PacketQueue queue;

        RelayReceiver(PacketQueue queue) {
            this.queue = queue;
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            return queue.take(batch);
        }

        @Override
        public String toString() {
            return "ProxyBind.RelayReceiver";
        }
    }
}
