package org.cunicu4j.stun.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.AttributeType;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunParseException;
import org.cunicu4j.stun.TransactionId;

/**
 * STUN client transactions over a {@link PacketConn} (UDP): sends a request, retransmits
 * it per a {@link RetransmissionPolicy}, and completes the transaction with the first
 * response carrying its transaction ID (from whatever address: CHANGE-REQUEST makes
 * servers answer from elsewhere), or with a {@link StunTimeoutException}.
 *
 * <h2>Two ways to get the responses</h2>
 * <ul>
 *   <li>{@link #owning}: the client takes the connection, reads it on a reader thread of
 *       its own and hands everything it does not consume to an {@link InboundHandler};
 *       {@link #close()} closes the connection.</li>
 *   <li>{@link #fedBy}: the connection's owner keeps reading it (because the same socket
 *       carries WireGuard, ICE checks or TURN data) and passes each datagram to
 *       {@link #offer}, which says whether it was a response to one of this client's
 *       transactions. The connection stays the owner's.</li>
 * </ul>
 *
 * <p>Responses with comprehension-required attributes this codec does not know fail the
 * transaction with {@link StunResponseException} (RFC 8489 section 6.3.1/6.3.3); a
 * response that matches a transaction but does not parse, or whose method differs from
 * the request's, is dropped and counted ({@link #droppedResponses()}), and the
 * transaction goes on waiting.
 *
 * <p>Threading: thread-safe. Futures complete on the reader thread (owning), the thread
 * calling {@link #offer} (fed) or the timer thread (timeouts, retransmission failures);
 * use the {@code ...Async} methods of {@link CompletableFuture} for heavy work. Timers run
 * on a scheduler shared by all clients unless one is given. Not limited here: RFC 8489's
 * advice of at most 10 outstanding transactions per server is the caller's to keep.
 */
public final class StunClient implements AutoCloseable {
    private static final ScheduledExecutorService SHARED_TIMER = newSharedTimer();
    private static final int READ_SLOTS = 8;
    static final int READ_SLOT_SIZE = 9216;

    private final PacketConn conn;
    private final RetransmissionPolicy policy;
    private final ScheduledExecutorService timer;
    private final InboundHandler unmatched;
    private final Map<TransactionId, Transaction> pending = new ConcurrentHashMap<>();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final PacketBatch sendBatch = new PacketBatch(1, 65535);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong transmissions = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    private StunClient(PacketConn conn, RetransmissionPolicy policy, ScheduledExecutorService timer,
            InboundHandler unmatched, boolean owning) {
        this.conn = Objects.requireNonNull(conn, "conn");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.timer = timer == null ? SHARED_TIMER : timer;
        this.unmatched = unmatched == null ? InboundHandler.DISCARD : unmatched;
        this.reader = owning
                ? Thread.ofPlatform().daemon().name("stun-reader-" + conn.localAddress()).unstarted(this::readLoop)
                : null;
    }

    /** The scheduler shared by clients that were given none. */
    static ScheduledExecutorService sharedTimer() {
        return SHARED_TIMER;
    }

    private static ScheduledExecutorService newSharedTimer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("stun-timer").factory());
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /** A client fed by the connection's owner through {@link #offer}; default policy and timer. */
    public static StunClient fedBy(PacketConn conn) {
        return fedBy(conn, RetransmissionPolicy.DEFAULT, null);
    }

    /**
     * A client fed by the connection's owner through {@link #offer}.
     *
     * @param timer scheduler for retransmissions and timeouts (borrowed, never shut down);
     *     null for the shared one
     */
    public static StunClient fedBy(PacketConn conn, RetransmissionPolicy policy, ScheduledExecutorService timer) {
        return new StunClient(conn, policy, timer, null, false);
    }

    /** A client that takes {@code conn} and reads it itself; default policy and timer. */
    public static StunClient owning(PacketConn conn, InboundHandler unmatched) {
        return owning(conn, unmatched, RetransmissionPolicy.DEFAULT, null);
    }

    /**
     * A client that takes {@code conn} (closing it on {@link #close()}) and reads it on a
     * platform thread of its own; what is not a response to one of its transactions goes
     * to {@code unmatched} (null: dropped). The reader receives into slots of
     * {@value #READ_SLOT_SIZE} bytes: larger datagrams are dropped by the connection.
     */
    public static StunClient owning(PacketConn conn, InboundHandler unmatched, RetransmissionPolicy policy,
            ScheduledExecutorService timer) {
        StunClient c = new StunClient(conn, policy, timer, unmatched, true);
        c.reader.start();
        return c;
    }

    /** The connection requests go out on. */
    public PacketConn conn() {
        return conn;
    }

    public InetSocketAddress localAddress() {
        return conn.localAddress();
    }

    public RetransmissionPolicy policy() {
        return policy;
    }

    /** Transactions waiting for a response. */
    public int pending() {
        return pending.size();
    }

    /** Responses that matched a transaction but were malformed or of another method, dropped. */
    public long droppedResponses() {
        return dropped.get();
    }

    /** Datagrams sent: every request and retransmission, and every {@link #send}. */
    public long transmissions() {
        return transmissions.get();
    }

    /** Starts a transaction with the client's policy; see {@link #request(byte[], InetSocketAddress, RetransmissionPolicy)}. */
    public CompletableFuture<StunResponse> request(byte[] request, InetSocketAddress server) {
        return request(request, server, policy);
    }

    /**
     * Sends {@code request} (a complete STUN request; the array is copied) to {@code server}
     * and retransmits it per {@code policy} until a response arrives. Cancelling the
     * future ends the transaction.
     *
     * @throws IllegalArgumentException when {@code request} is not a well-formed STUN request
     * @throws IllegalStateException when a transaction with the same ID is pending
     */
    public CompletableFuture<StunResponse> request(byte[] request, InetSocketAddress server,
            RetransmissionPolicy policy) {
        StunMessage m;
        try {
            m = StunMessage.parse(request.clone());
        } catch (StunParseException e) {
            throw new IllegalArgumentException("not a STUN message: " + e.getMessage());
        }
        if (m.messageClass() != StunClass.REQUEST) {
            throw new IllegalArgumentException("not a request: " + m.type());
        }
        Transaction t = new Transaction(m, server, policy);
        if (closed) {
            t.future.completeExceptionally(new ClosedChannelException());
            return t.future;
        }
        if (pending.putIfAbsent(t.tid, t) != null) {
            throw new IllegalStateException("transaction " + t.tid + " is already pending");
        }
        t.future.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                t.finish();
            }
        });
        t.start();
        return t.future;
    }

    /** Sends {@code request} and waits for the response; see {@link #request(byte[], InetSocketAddress)}. */
    public StunResponse call(byte[] request, InetSocketAddress server) throws IOException {
        return await(request(request, server));
    }

    /** Sends one datagram (an indication, ChannelData, anything) to {@code to}, no transaction. */
    public void send(ByteBuffer message, InetSocketAddress to) throws IOException {
        sendLock.lock();
        try {
            sendBatch.buffer(0).clear().put(message.duplicate()).flip();
            sendBatch.setAddress(0, to);
            sendBatch.setCount(1);
            conn.send(sendBatch);
            transmissions.incrementAndGet();
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Offers a received datagram (the bytes from its position to its limit; borrowed for
     * the call, position unchanged). Returns true when it was a response to one of this
     * client's transactions, which it then completes (or a malformed one it dropped);
     * false when the caller should handle it. Cheap for everything else: a look at the
     * header and a scan of the pending transactions; only a matching response is copied.
     */
    public boolean offer(ByteBuffer datagram, InetSocketAddress from) {
        if (pending.isEmpty() || PacketClassifier.classify(datagram) != PacketClassifier.Kind.STUN) {
            return false;
        }
        int p = datagram.position();
        int type = Short.toUnsignedInt(datagram.order() == java.nio.ByteOrder.BIG_ENDIAN
                ? datagram.getShort(p) : Short.reverseBytes(datagram.getShort(p)));
        if ((type & 0x0100) == 0) {
            return false; // request or indication: not ours
        }
        Transaction t = null;
        for (Transaction candidate : pending.values()) {
            if (candidate.tid.matches(datagram, p + 8)) {
                t = candidate;
                break;
            }
        }
        if (t == null) {
            return false;
        }
        byte[] copy = new byte[datagram.remaining()];
        datagram.get(p, copy);
        StunMessage response;
        try {
            response = StunMessage.parse(copy);
        } catch (StunParseException e) {
            dropped.incrementAndGet();
            return true;
        }
        if (response.method() != t.request.method()) {
            dropped.incrementAndGet();
            return true;
        }
        t.respond(response, from);
        return true;
    }

    /** A {@link StunTransport} to {@code server} over this client; closing it leaves the client open. */
    public StunTransport transportTo(InetSocketAddress server) {
        return new StunTransport() {
            @Override
            public CompletableFuture<StunResponse> request(byte[] request) {
                return StunClient.this.request(request, server);
            }

            @Override
            public void send(ByteBuffer message) throws IOException {
                StunClient.this.send(message, server);
            }

            @Override
            public InetSocketAddress server() {
                return server;
            }

            @Override
            public InetSocketAddress localAddress() {
                return conn.localAddress();
            }

            @Override
            public String protocol() {
                return "UDP";
            }

            @Override
            public void close() {}

            @Override
            public String toString() {
                return "UDP " + StunTimeoutException.address(localAddress()) + " -> "
                        + StunTimeoutException.address(server);
            }
        };
    }

    /**
     * Fails every pending transaction with {@link ClosedChannelException}; when owning,
     * closes the connection and waits for the reader thread. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        if (reader != null) {
            conn.close();
            if (Thread.currentThread() != reader) {
                try {
                    reader.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        failAll(new ClosedChannelException());
    }

    private void failAll(IOException e) {
        for (Transaction t : List.copyOf(pending.values())) {
            t.fail(e);
        }
    }

    private void readLoop() {
        PacketBatch batch = new PacketBatch(Math.min(READ_SLOTS, conn.preferredBatchSize()), READ_SLOT_SIZE);
        try {
            while (!closed) {
                int n = conn.receive(batch);
                for (int i = 0; i < n; i++) {
                    ByteBuffer buf = batch.buffer(i);
                    InetSocketAddress from = batch.address(i);
                    try {
                        if (!offer(buf, from)) {
                            unmatched.onInbound(buf, from);
                        }
                    } catch (RuntimeException e) {
                        dropped.incrementAndGet(); // a handler's failure must not end the loop
                    }
                }
            }
        } catch (IOException e) {
            failAll(closed || e instanceof ClosedChannelException ? new ClosedChannelException()
                    : new IOException("reading " + conn + " failed: " + e.getMessage(), e));
        }
    }

    /** Waits for {@code future} and turns its failure back into the IOException it carries. */
    static <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a STUN response");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }

    /** Why a response with unknown comprehension-required attributes fails its transaction. */
    static StunResponseException unknownAttributes(StunMessage response, InetSocketAddress from) {
        StringBuilder types = new StringBuilder();
        for (int type : response.unknownComprehensionRequired()) {
            types.append(types.isEmpty() ? "" : ", ").append(AttributeType.name(type));
        }
        return new StunResponseException(response.type() + " from " + StunTimeoutException.address(from)
                + " carries comprehension-required attributes this client does not understand: " + types);
    }

    /** One request in flight; its state is guarded by its monitor. */
    private final class Transaction {
        final StunMessage request;
        final byte[] bytes;
        final TransactionId tid;
        final InetSocketAddress server;
        final RetransmissionPolicy policy;
        final CompletableFuture<StunResponse> future = new CompletableFuture<>();
        private int sent;
        private long firstSentNanos;
        private ScheduledFuture<?> timerTask;
        private boolean done;

        Transaction(StunMessage request, InetSocketAddress server, RetransmissionPolicy policy) {
            this.request = request;
            this.bytes = request.toBytes();
            this.tid = request.transactionId();
            this.server = Objects.requireNonNull(server, "server");
            this.policy = Objects.requireNonNull(policy, "policy");
        }

        synchronized void start() {
            firstSentNanos = System.nanoTime();
            transmitAndSchedule();
        }

        /** Sends once more and arms the timer for the wait that follows; called holding the monitor. */
        private void transmitAndSchedule() {
            try {
                send(ByteBuffer.wrap(bytes), server);
            } catch (IOException e) {
                finishLocked();
                future.completeExceptionally(e);
                return;
            }
            sent++;
            long wait = policy.waitAfter(sent).toNanos();
            timerTask = timer.schedule(this::onTimer, wait, TimeUnit.NANOSECONDS);
        }

        private void onTimer() {
            IOException timeout = null;
            synchronized (this) {
                if (done) {
                    return;
                }
                if (sent < policy.requests()) {
                    transmitAndSchedule();
                    return;
                }
                finishLocked();
                timeout = new StunTimeoutException(server, sent, policy.totalTimeout(), null);
            }
            future.completeExceptionally(timeout);
        }

        void respond(StunMessage response, InetSocketAddress from) {
            Duration rtt;
            int requests;
            synchronized (this) {
                if (done) {
                    return;
                }
                finishLocked();
                rtt = Duration.ofNanos(System.nanoTime() - firstSentNanos);
                requests = sent;
            }
            if (response.hasUnknownComprehensionRequired()) {
                future.completeExceptionally(unknownAttributes(response, from));
            } else {
                future.complete(new StunResponse(response, from, rtt, requests));
            }
        }

        void fail(IOException e) {
            synchronized (this) {
                if (done) {
                    return;
                }
                finishLocked();
            }
            future.completeExceptionally(e);
        }

        synchronized void finish() {
            finishLocked();
        }

        private void finishLocked() {
            done = true;
            if (timerTask != null) {
                timerTask.cancel(false);
            }
            pending.remove(tid, this);
        }
    }
}
