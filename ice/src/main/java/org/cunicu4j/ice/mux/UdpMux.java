package org.cunicu4j.ice.mux;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMethod;
import org.cunicu4j.stun.StunParseException;
import org.cunicu4j.stun.client.BindingResult;
import org.cunicu4j.stun.client.RetransmissionPolicy;

/**
 * Many ICE agents over one {@link PacketConn} (one UDP port), after pion/ice's UDPMux.
 * Each agent asks for its view with {@link #connFor(String)} under its local username
 * fragment and reads and writes that {@link MuxedConn} as if it were a socket of its own.
 *
 * <h2>Routing rule, per received datagram</h2>
 * <ol>
 *   <li>Classified with {@link PacketClassifier} (WireGuard first, then STUN).</li>
 *   <li><b>Not STUN</b> (WireGuard, TURN ChannelData, anything): with a
 *       {@link ForeignHandler} it goes to the handler, <em>always</em>, whether or not an
 *       agent claimed the remote address: on a port WireGuard shares, the data of the pair
 *       ICE selected is WireGuard's. Without a handler it goes to the agent that claimed the
 *       source address (the data of an {@code IceConnection}), else it is counted
 *       {@code unroutable}.</li>
 *   <li><b>STUN</b>: with server-reflexive discovery on, responses to the mux's own
 *       Binding requests are consumed first (matched by transaction ID). A Binding
 *       <em>request</em> with USERNAME {@code "LFRAG:RFRAG"} goes to the agent registered
 *       under {@code LFRAG}, and its source address is claimed for that agent (counted
 *       {@code unknownUfrag} when no agent has that fragment). Every other STUN message
 *       (responses, indications, requests without USERNAME) goes to the agent that claimed
 *       its source address, else it is counted {@code unroutable}. Bytes with the STUN
 *       cookie that do not parse are counted {@code malformedStun}.</li>
 * </ol>
 * An address is claimed by the last agent that received a request from it or sent to it
 * ({@link MuxedConn#send} claims each destination, so a response to an agent's first check
 * finds its way back before the peer's own check arrives). Closing a conn releases its
 * fragment and its addresses.
 *
 * <h2>Cost</h2>
 * The foreign-handler path classifies the datagram, bumps a striped counter and calls the
 * handler: no allocation, no lock. Routing to an agent without a handler is a lock-free
 * hash look-up with a per-thread probe key, then one copy into the agent's preallocated
 * ring. STUN parsing allocates (it is the control plane).
 *
 * <h2>Ownership and threading</h2>
 * Started with {@link Builder#start()}, the mux owns its conn (unless told otherwise), reads
 * it on one platform thread named {@code udp-mux <address>}, and calls the foreign handler
 * on that thread with the reader's batch (borrowed for the call). Built with
 * {@link Builder#fed()}, it has no thread: the conn's owner calls {@link #dispatch} for each
 * datagram it reads, from any number of threads. {@link #connFor}, {@link #stats},
 * {@link #mappedAddress} and {@link #close} are thread-safe. Closing the mux closes every
 * conn (waking their receivers) and, when owning, the shared conn.
 */
public final class UdpMux implements AutoCloseable {

    /**
     * Receives the datagrams that are not STUN (WireGuard on a shared port). Called on the
     * mux's reader thread (or the thread calling {@link #dispatch}); {@code batch} and its
     * slot are borrowed for the call only. Must not block for long: the reader waits.
     */
    @FunctionalInterface
    public interface ForeignHandler {
        void handle(PacketBatch batch, int slot);
    }

    private final PacketConn conn;
    private final boolean ownsConn;
    private final ForeignHandler foreign;
    private final int queueCapacity;
    private final int queueSlotSize;
    private final int readBatch;
    private final int readSlotSize;
    private final ReflexiveDiscovery reflexive;
    private final ConcurrentHashMap<String, MuxedConn> byUfrag = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<AddressKey, MuxedConn> byAddress = new ConcurrentHashMap<>();
    private final ThreadLocal<AddressKey> probe = ThreadLocal.withInitial(AddressKey::new);
    private final Object registration = new Object();
    private final Thread reader;
    private volatile boolean closed;
    private volatile IOException failure;

    private final LongAdder routed = new LongAdder();
    private final LongAdder unknownUfrag = new LongAdder();
    private final LongAdder unroutable = new LongAdder();
    private final LongAdder malformedStun = new LongAdder();
    private final LongAdder queueFull = new LongAdder();
    private final LongAdder foreignCount = new LongAdder();
    private final LongAdder reflexiveCount = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();

    private UdpMux(Builder b, boolean withReader) {
        this.conn = b.conn;
        this.ownsConn = b.ownsConn;
        this.foreign = b.foreign;
        this.queueCapacity = b.queueCapacity;
        this.queueSlotSize = b.queueSlotSize;
        this.readBatch = Math.max(1, Math.min(b.readBatch, conn.preferredBatchSize()));
        this.readSlotSize = b.readSlotSize;
        this.reflexive = b.reflexive ? new ReflexiveDiscovery(conn, b.stunPolicy, b.stunTimer) : null;
        this.reader = withReader
                ? Thread.ofPlatform().daemon().name("udp-mux " + conn.localAddress()).unstarted(this::readLoop)
                : null;
    }

    /** A builder for a mux over {@code conn}. */
    public static Builder builder(PacketConn conn) {
        return new Builder(conn);
    }

    /** Opens a UDP socket bound to {@code bind} (the caller's network namespace) for a builder; the mux will own it. */
    public static Builder builder(InetSocketAddress bind) throws IOException {
        return new Builder(UdpPacketConn.open(bind));
    }

    /** The shared conn (borrowed). */
    public PacketConn conn() {
        return conn;
    }

    /** The shared socket's address. */
    public InetSocketAddress localAddress() {
        return conn.localAddress();
    }

    /**
     * The conn of the agent with local username fragment {@code localUfrag}: registered now,
     * or the one already registered and still open.
     *
     * @throws IllegalStateException when the mux is closed
     */
    public MuxedConn connFor(String localUfrag) {
        checkUfrag(localUfrag);
        synchronized (registration) {
            if (closed) {
                throw new IllegalStateException("the UdpMux on " + conn.localAddress() + " is closed");
            }
            MuxedConn c = byUfrag.get(localUfrag);
            if (c == null || c.isClosed()) {
                c = new MuxedConn(this, localUfrag, queueCapacity, queueSlotSize);
                byUfrag.put(localUfrag, c);
            }
            return c;
        }
    }

    private static void checkUfrag(String ufrag) {
        Objects.requireNonNull(ufrag, "localUfrag");
        if (ufrag.isEmpty() || ufrag.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a username fragment is non-empty and has no ':', got \"" + ufrag + "\"");
        }
    }

    /** See {@link MuxedConn#rename}. */
    void rename(MuxedConn c, String newUfrag) {
        checkUfrag(newUfrag);
        synchronized (registration) {
            if (closed || c.isClosed()) {
                throw new IllegalStateException(c + " is closed; it cannot be renamed to " + newUfrag);
            }
            MuxedConn other = byUfrag.get(newUfrag);
            if (other != null && other != c && !other.isClosed()) {
                throw new IllegalStateException("username fragment " + newUfrag + " is already registered on " + this);
            }
            byUfrag.remove(c.ufrag(), c);
            c.setUfrag(newUfrag);
            byUfrag.put(newUfrag, c);
        }
    }

    /** The open conn registered under {@code localUfrag}, if any. */
    public Optional<MuxedConn> find(String localUfrag) {
        return Optional.ofNullable(byUfrag.get(localUfrag));
    }

    /** Number of registered conns. */
    public int conns() {
        return byUfrag.size();
    }

    /** Number of claimed remote addresses. */
    public int claimedAddresses() {
        return byAddress.size();
    }

    /** True when server-reflexive discovery is on. */
    public boolean servesReflexive() {
        return reflexive != null;
    }

    /**
     * Asks the STUN server {@code server} for this port's mapped address with a Binding
     * request sent from the shared socket (retransmitted per the builder's policy).
     * The future fails with {@link IllegalStateException} when the mux was built without
     * {@link Builder#serverReflexive}, and as {@code BindingClient#discoverAsync} says otherwise.
     */
    public CompletableFuture<BindingResult> mappedAddress(InetSocketAddress server) {
        if (reflexive == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "the UdpMux on " + conn.localAddress() + " was built without server-reflexive discovery"));
        }
        if (closed) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        return reflexive.discover(server);
    }

    /** Why the reader stopped although the mux was not closed (the conn failed), if it did. */
    public Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    public UdpMuxStats stats() {
        return new UdpMuxStats(routed.sum(), unknownUfrag.sum(), unroutable.sum(), malformedStun.sum(),
                queueFull.sum(), foreignCount.sum(), reflexiveCount.sum(), handlerErrors.sum());
    }

    /**
     * Routes the datagram in {@code batch}'s {@code slot} (from its position to its limit,
     * its source address) by the rule in the class comment. Never throws: whatever goes
     * wrong is counted. The reader calls this; in {@link Builder#fed() fed} mode, the conn's
     * owner does.
     */
    public void dispatch(PacketBatch batch, int slot) {
        try {
            ByteBuffer buf = batch.buffer(slot);
            if (PacketClassifier.classify(buf) != PacketClassifier.Kind.STUN) {
                if (foreign != null) {
                    foreignCount.increment();
                    foreign.handle(batch, slot);
                    return;
                }
                deliver(byAddress.get(probe.get().set(batch, slot)), batch, slot);
                return;
            }
            if (reflexive != null && reflexive.offer(batch, slot)) {
                reflexiveCount.increment();
                return;
            }
            routeStun(buf, batch, slot);
        } catch (RuntimeException e) {
            handlerErrors.increment();
        }
    }

    private void routeStun(ByteBuffer buf, PacketBatch batch, int slot) {
        StunMessage m;
        try {
            m = StunMessage.parse(buf);
        } catch (StunParseException e) {
            malformedStun.increment();
            return;
        }
        AddressKey key = probe.get().set(batch, slot);
        if (m.is(StunMethod.BINDING, StunClass.REQUEST)) {
            Optional<String> username = m.username();
            if (username.isPresent()) {
                String user = username.get();
                int colon = user.indexOf(':');
                MuxedConn c = colon > 0 ? byUfrag.get(user.substring(0, colon)) : null;
                if (c == null || c.isClosed()) {
                    unknownUfrag.increment();
                    return;
                }
                if (!key.isEmpty()) {
                    claim(c, key);
                }
                deliver(c, batch, slot);
                return;
            }
        }
        deliver(byAddress.get(key), batch, slot);
    }

    private void deliver(MuxedConn c, PacketBatch batch, int slot) {
        if (c == null) {
            unroutable.increment();
        } else if (c.offer(batch, slot)) {
            routed.increment();
        } else if (!c.isClosed()) {
            queueFull.increment();
        } else {
            unroutable.increment();
        }
    }

    /** Claims the address in {@code probe} for {@code c} unless it already is; copies the key only for a new claim. */
    void claim(MuxedConn c, AddressKey probe) {
        if (byAddress.get(probe) == c) {
            return;
        }
        synchronized (registration) {
            if (c.isClosed() || closed) {
                return;
            }
            AddressKey key = probe.copy();
            MuxedConn previous = byAddress.put(key, c);
            if (previous != null && previous != c) {
                previous.claimed.remove(key);
            }
            c.claimed.add(key);
        }
    }

    /** Called by a conn's close: forgets its fragment and addresses. */
    void unregister(MuxedConn c) {
        synchronized (registration) {
            byUfrag.remove(c.ufrag(), c);
            for (AddressKey k : c.claimed) {
                byAddress.remove(k, c);
            }
            c.claimed.clear();
        }
    }

    private void readLoop() {
        PacketBatch batch = new PacketBatch(readBatch, readSlotSize);
        try {
            while (true) {
                int n = conn.receive(batch);
                for (int i = 0; i < n; i++) {
                    dispatch(batch, i);
                }
            }
        } catch (ClosedChannelException e) {
            // closed: the normal end
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                failure = e instanceof IOException io ? io
                        : new IOException("the UdpMux reader of " + conn + " failed: " + e, e);
            }
        }
        closeConns();
    }

    private void closeConns() {
        List<MuxedConn> all;
        synchronized (registration) {
            closed = true;
            all = new ArrayList<>(byUfrag.values());
            byUfrag.clear();
            byAddress.clear();
        }
        for (MuxedConn c : all) {
            c.markClosed();
            c.claimed.clear();
        }
    }

    /**
     * Closes every conn (waking their receivers), stops server-reflexive discovery (pending
     * requests fail), and when the mux owns its conn closes it and waits for the reader.
     * Idempotent.
     */
    @Override
    public void close() {
        closeConns();
        if (reflexive != null) {
            reflexive.close();
        }
        if (ownsConn) {
            conn.close();
        }
        if (reader != null && Thread.currentThread() != reader) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "UdpMux[" + conn.localAddress() + ", " + byUfrag.size() + " conns]";
    }

    /** Builds a {@link UdpMux}; not thread-safe. */
    public static final class Builder {
        private final PacketConn conn;
        private boolean ownsConn = true;
        private ForeignHandler foreign;
        private int queueCapacity = 128;
        private int queueSlotSize = 2048;
        private int readBatch = 32;
        private int readSlotSize = 9216;
        private boolean reflexive;
        private RetransmissionPolicy stunPolicy = RetransmissionPolicy.DEFAULT;
        private ScheduledExecutorService stunTimer;

        private Builder(PacketConn conn) {
            this.conn = Objects.requireNonNull(conn, "conn");
        }

        /** Where non-STUN datagrams go (see the routing rule); default none. */
        public Builder foreign(ForeignHandler handler) {
            this.foreign = handler;
            return this;
        }

        /** Whether closing the mux closes the conn (default true). */
        public Builder ownsConn(boolean owns) {
            this.ownsConn = owns;
            return this;
        }

        /** Datagrams each agent's conn queues before dropping (default 128), and the largest one (default 2048 bytes). */
        public Builder queue(int capacity, int slotSize) {
            if (capacity < 1 || slotSize < 1 || slotSize > 65535) {
                throw new IllegalArgumentException("queue needs capacity >= 1 and slotSize 1..65535, got "
                        + capacity + " x " + slotSize);
            }
            this.queueCapacity = capacity;
            this.queueSlotSize = slotSize;
            return this;
        }

        /** The reader's batch: slots per receive (capped by the conn's preferred size; default 32) and slot size (default 9216). */
        public Builder readBatch(int slots, int slotSize) {
            if (slots < 1 || slotSize < 1 || slotSize > 65535) {
                throw new IllegalArgumentException("read batch needs slots >= 1 and slotSize 1..65535, got "
                        + slots + " x " + slotSize);
            }
            this.readBatch = slots;
            this.readSlotSize = slotSize;
            return this;
        }

        /** Serve {@link UdpMux#mappedAddress} from the shared socket (pion's UniversalUDPMux), default policy and timer. */
        public Builder serverReflexive() {
            return serverReflexive(RetransmissionPolicy.DEFAULT, null);
        }

        /**
         * Serve {@link UdpMux#mappedAddress} from the shared socket.
         *
         * @param timer scheduler for retransmissions (borrowed); null for the STUN client's shared one
         */
        public Builder serverReflexive(RetransmissionPolicy policy, ScheduledExecutorService timer) {
            this.reflexive = true;
            this.stunPolicy = Objects.requireNonNull(policy, "policy");
            this.stunTimer = timer;
            return this;
        }

        /** Builds the mux and starts its reader thread (on the calling thread's network namespace). */
        public UdpMux start() {
            UdpMux m = new UdpMux(this, true);
            m.reader.start();
            return m;
        }

        /** Builds a mux without a reader: the conn's owner reads and calls {@link UdpMux#dispatch}. */
        public UdpMux fed() {
            return new UdpMux(this, false);
        }
    }
}
