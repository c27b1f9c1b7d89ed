package org.cunicu4j.stun.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.AttributeType;
import org.cunicu4j.stun.StunMessage;

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
 * <p>The per-datagram paths allocate nothing: {@link #offer} matches transaction IDs by
 * comparing bytes (an {@link InetSocketAddress} is built only for an actual response),
 * the reader hands the rest to {@link InboundHandler#onDatagram} with its batch slot, and
 * {@link #send} copies into a preallocated batch (the destination is converted once per
 * distinct {@link InetSocketAddress} object). The transaction engine is shared with
 * {@link StreamStunTransport}.
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
    private final InboundHandler unmatched;
    private final ClientTransactions transactions;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final PacketBatch sendBatch = new PacketBatch(1, 65535);
    private InetSocketAddress sendTo; // the address in sendBatch, guarded by sendLock
    private final AtomicLong transmissions = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;
    private volatile IOException broken;

    private StunClient(PacketConn conn, RetransmissionPolicy policy, ScheduledExecutorService timer,
            InboundHandler unmatched, boolean owning) {
        this.conn = Objects.requireNonNull(conn, "conn");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.unmatched = unmatched == null ? InboundHandler.DISCARD : unmatched;
        this.transactions = new ClientTransactions(this::send, timer == null ? SHARED_TIMER : timer, null);
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

    /**
     * An owning client (see {@link #owning(PacketConn, InboundHandler, RetransmissionPolicy,
     * ScheduledExecutorService)}) wrapped as a transport to {@code server}: closing the
     * transport closes the client and {@code conn}. TURN over UDP runs on this.
     */
    public static StunTransport owningTransport(PacketConn conn, InetSocketAddress server, InboundHandler unmatched,
            RetransmissionPolicy policy, ScheduledExecutorService timer) {
        return owning(conn, unmatched, policy, timer).transport(server, true);
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
        return transactions.pending();
    }

    /**
     * Responses that matched a transaction but were malformed or of another method, dropped;
     * and failures of the inbound handler.
     */
    public long droppedResponses() {
        return transactions.dropped();
    }

    /**
     * Why the reader thread stopped although the client was not closed (the connection
     * failed, or threw), if it did: requests then fail at once with this cause.
     */
    public java.util.Optional<IOException> broken() {
        return java.util.Optional.ofNullable(broken);
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
        return transactions.start(request, server, policy);
    }

    /** Sends {@code request} and waits for the response; see {@link #request(byte[], InetSocketAddress)}. */
    public StunResponse call(byte[] request, InetSocketAddress server) throws IOException {
        return await(request(request, server));
    }

    /**
     * Sends one datagram (an indication, ChannelData, anything) to {@code to}, no
     * transaction: the bytes from the buffer's position to its limit (position unchanged).
     * Allocates nothing when {@code to} is the same object as the last time.
     */
    public void send(ByteBuffer message, InetSocketAddress to) throws IOException {
        int n = message.remaining();
        sendLock.lock();
        try {
            if (to != sendTo) {
                sendBatch.setAddress(0, to);
                sendTo = to;
            }
            sendBatch.buffer(0).clear().put(0, message, message.position(), n).limit(n);
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
     * false when the caller should handle it. Allocates nothing for everything else: a
     * look at the header and byte compares with the pending transaction IDs; only a
     * matching response is copied.
     */
    public boolean offer(ByteBuffer datagram, InetSocketAddress from) {
        if (PacketClassifier.classify(datagram) != PacketClassifier.Kind.STUN) {
            return false;
        }
        return transactions.offer(datagram, from);
    }

    /**
     * Offers the datagram in {@code batch}'s {@code slot}, as {@link #offer(ByteBuffer,
     * InetSocketAddress)}; the source address is built only for a matching response.
     */
    public boolean offer(PacketBatch batch, int slot) {
        ByteBuffer datagram = batch.buffer(slot);
        if (PacketClassifier.classify(datagram) != PacketClassifier.Kind.STUN) {
            return false;
        }
        ClientTransactions.Transaction t = transactions.match(datagram);
        if (t == null) {
            return false;
        }
        transactions.complete(t, datagram, batch.address(slot));
        return true;
    }

    /** A {@link StunTransport} to {@code server} over this client; closing it leaves the client open. */
    public StunTransport transportTo(InetSocketAddress server) {
        return transport(server, false);
    }

    private StunTransport transport(InetSocketAddress server, boolean closesClient) {
        Objects.requireNonNull(server, "server");
        return new StunTransport() {
            @Override
            public CompletableFuture<StunResponse> request(byte[] request, Predicate<StunMessage> accept) {
                return transactions.start(request, server, policy, accept);
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
            public void close() {
                if (closesClient) {
                    StunClient.this.close();
                }
            }

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
        transactions.close(new ClosedChannelException());
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
    }

    private void readLoop() {
        PacketBatch batch = new PacketBatch(Math.min(READ_SLOTS, conn.preferredBatchSize()), READ_SLOT_SIZE);
        IOException end;
        try {
            while (true) {
                int n = conn.receive(batch);
                for (int i = 0; i < n; i++) {
                    handle(batch, i);
                }
            }
        } catch (IOException e) {
            end = closed || e instanceof ClosedChannelException ? new ClosedChannelException()
                    : new IOException("reading " + conn + " failed: " + e.getMessage(), e);
        } catch (Throwable e) { // a bug in the conn: say so, rather than let requests time out
            end = closed ? new ClosedChannelException()
                    : new IOException("the STUN reader of " + conn + " failed: " + e, e);
        }
        if (!closed) {
            broken = end;
        }
        transactions.close(end); // pending and later requests fail at once with the cause
        try {
            unmatched.onReaderEnd(end);
        } catch (RuntimeException e) {
            transactions.countDropped();
        }
    }

    /** What the reader does with one received datagram; allocation-free unless it is a response. */
    void handle(PacketBatch batch, int slot) {
        try {
            if (!offer(batch, slot)) {
                unmatched.onDatagram(batch, slot);
            }
        } catch (RuntimeException e) {
            transactions.countDropped(); // a handler's failure must not end the loop
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
}
