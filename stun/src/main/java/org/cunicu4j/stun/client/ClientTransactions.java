package org.cunicu4j.stun.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunParseException;
import org.cunicu4j.stun.TransactionId;

/**
 * The client transactions of one transport, the engine behind {@link StunClient} (UDP)
 * and {@link StreamStunTransport} (TCP, TLS): sends a request through a {@link Sender},
 * sends it again per its {@link RetransmissionPolicy} (a stream uses one request and one
 * wait), and completes it with the first response carrying its transaction ID, or with a
 * {@link StunTimeoutException}.
 *
 * <p>Matching is allocation-free ({@link #match}: a look at the header and byte compares
 * against the pending IDs, kept in an array replaced on start and finish), so a reader can
 * offer every datagram or frame; only a matching response is copied and parsed.
 *
 * <p>Thread-safe. Futures complete on the thread that delivers the response, on the timer
 * thread, or on the thread that closes.
 */
final class ClientTransactions {
    /** How a transaction's request goes out. */
    @FunctionalInterface
    interface Sender {
        void transmit(ByteBuffer message, InetSocketAddress to) throws IOException;
    }

    private static final Transaction[] NONE = new Transaction[0];

    private final Sender sender;
    private final ScheduledExecutorService timer;
    private final String streamProtocol;
    private final AtomicLong dropped = new AtomicLong();
    private final Object lock = new Object();
    private volatile Transaction[] pending = NONE; // replaced under lock, read without
    private IOException closed; // guarded by lock

    /**
     * @param streamProtocol null over UDP; "TCP" or "TLS" on a stream, where timeouts name
     *     the transport instead of counting requests
     */
    ClientTransactions(Sender sender, ScheduledExecutorService timer, String streamProtocol) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.streamProtocol = streamProtocol;
    }

    /**
     * Starts a transaction for {@code request} (a complete STUN request; copied).
     *
     * @throws IllegalArgumentException when {@code request} is not a well-formed STUN request
     * @throws IllegalStateException when a transaction with the same ID is pending
     */
    CompletableFuture<StunResponse> start(byte[] request, InetSocketAddress server, RetransmissionPolicy policy) {
        return start(request, server, policy, null);
    }

    /**
     * Like {@link #start(byte[], InetSocketAddress, RetransmissionPolicy)}, with a verifier:
     * a response for which {@code accept} is false (say, MESSAGE-INTEGRITY does not verify)
     * is discarded as if it had never arrived (counted in {@link #dropped()}), and the
     * transaction goes on waiting (RFC 8489 section 9.2.5). Null accepts every response.
     * The verifier runs on the delivering thread and must not block.
     */
    CompletableFuture<StunResponse> start(byte[] request, InetSocketAddress server, RetransmissionPolicy policy,
            Predicate<StunMessage> accept) {
        StunMessage m;
        try {
            m = StunMessage.parse(request.clone());
        } catch (StunParseException e) {
            throw new IllegalArgumentException("not a STUN message: " + e.getMessage());
        }
        if (m.messageClass() != StunClass.REQUEST) {
            throw new IllegalArgumentException("not a request: " + m.type());
        }
        Transaction t = new Transaction(m, server, policy, accept);
        synchronized (lock) {
            if (closed != null) {
                t.future.completeExceptionally(closed);
                return t.future;
            }
            for (Transaction other : pending) {
                if (other.tid.equals(t.tid)) {
                    throw new IllegalStateException("transaction " + t.tid + " is already pending");
                }
            }
            Transaction[] more = Arrays.copyOf(pending, pending.length + 1);
            more[pending.length] = t;
            pending = more;
        }
        t.future.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                t.finish();
            }
        });
        t.start();
        return t.future;
    }

    /**
     * The pending transaction {@code msg} (the bytes from its position; position unchanged)
     * is a response to, or null. Allocates nothing: it reads the header and compares the
     * transaction ID with the pending ones.
     */
    Transaction match(ByteBuffer msg) {
        Transaction[] all = pending;
        if (all.length == 0 || msg.remaining() < StunMessage.HEADER_SIZE) {
            return null;
        }
        int p = msg.position();
        // top two bits 00, class bit C1 set (a response), the magic cookie 0x2112A442
        if ((msg.get(p) & 0xC1) != 0x01 || msg.get(p + 4) != 0x21 || msg.get(p + 5) != 0x12
                || msg.get(p + 6) != (byte) 0xA4 || msg.get(p + 7) != 0x42) {
            return null;
        }
        for (Transaction t : all) {
            if (t.tid.matches(msg, p + 8)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Completes {@code t} with the response {@code msg} (copied; {@code from} is where it
     * came from): a response that does not parse or is of another method is dropped and
     * counted, and the transaction goes on waiting.
     */
    void complete(Transaction t, ByteBuffer msg, InetSocketAddress from) {
        byte[] copy = new byte[msg.remaining()];
        msg.get(msg.position(), copy);
        StunMessage response;
        try {
            response = StunMessage.parse(copy);
        } catch (StunParseException e) {
            dropped.incrementAndGet();
            return;
        }
        if (response.method() != t.request.method()) {
            dropped.incrementAndGet();
            return;
        }
        if (t.accept != null) {
            boolean ok;
            try {
                ok = t.accept.test(response);
            } catch (RuntimeException e) {
                ok = false;
            }
            if (!ok) {
                dropped.incrementAndGet();
                return;
            }
        }
        t.respond(response, from);
    }

    /** Completes the transaction {@code msg} answers; false when it answers none. */
    boolean offer(ByteBuffer msg, InetSocketAddress from) {
        Transaction t = match(msg);
        if (t == null) {
            return false;
        }
        complete(t, msg, from);
        return true;
    }

    /** Fails the pending transactions and every later one with {@code cause}; the first cause stays. */
    void close(IOException cause) {
        Transaction[] all;
        synchronized (lock) {
            if (closed == null) {
                closed = cause;
            }
            all = pending;
        }
        for (Transaction t : all) {
            t.fail(closed);
        }
    }

    int pending() {
        return pending.length;
    }

    /** Responses that matched a transaction but were malformed, of another method, or failed its verifier. */
    long dropped() {
        return dropped.get();
    }

    /** Counts one more dropped message (a handler's failure, say). */
    void countDropped() {
        dropped.incrementAndGet();
    }

    private void remove(Transaction t) {
        synchronized (lock) {
            Transaction[] all = pending;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == t) {
                    Transaction[] fewer = new Transaction[all.length - 1];
                    System.arraycopy(all, 0, fewer, 0, i);
                    System.arraycopy(all, i + 1, fewer, i, all.length - i - 1);
                    pending = fewer;
                    return;
                }
            }
        }
    }

    /** One request in flight; its state is guarded by its monitor. */
    final class Transaction {
        final StunMessage request;
        final byte[] bytes;
        final TransactionId tid;
        final InetSocketAddress server;
        final RetransmissionPolicy policy;
        final Predicate<StunMessage> accept;
        final CompletableFuture<StunResponse> future = new CompletableFuture<>();
        private int sent;
        private long firstSentNanos;
        private long lastSentNanos;
        private long deadlineNanos;
        private boolean limited;
        private ScheduledFuture<?> timerTask;
        private boolean done;

        Transaction(StunMessage request, InetSocketAddress server, RetransmissionPolicy policy,
                Predicate<StunMessage> accept) {
            this.accept = accept;
            this.request = request;
            this.bytes = request.toBytes();
            this.tid = request.transactionId();
            this.server = Objects.requireNonNull(server, "server");
            this.policy = Objects.requireNonNull(policy, "policy");
        }

        synchronized void start() {
            if (done) {
                return; // failed by close before it began
            }
            firstSentNanos = System.nanoTime();
            limited = policy.limited();
            deadlineNanos = firstSentNanos + policy.limit().toNanos();
            transmitAndSchedule(firstSentNanos);
        }

        /** Sends once more and arms the timer for the wait that follows; called holding the monitor. */
        private void transmitAndSchedule(long now) {
            lastSentNanos = System.nanoTime();
            try {
                sender.transmit(ByteBuffer.wrap(bytes), server);
            } catch (IOException e) {
                finishLocked();
                future.completeExceptionally(e);
                return;
            }
            sent++;
            long wait = policy.waitAfter(sent).toNanos();
            if (limited) {
                wait = Math.min(wait, deadlineNanos - now); // the schedule drifts late; the limit does not
            }
            try {
                timerTask = timer.schedule(this::onTimer, Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                finishLocked();
                future.completeExceptionally(new IOException("the timer of this STUN transport is shut down", e));
            }
        }

        private void onTimer() {
            IOException timeout;
            synchronized (this) {
                if (done) {
                    return;
                }
                long now = System.nanoTime();
                if (sent < policy.requests() && (!limited || now - deadlineNanos < 0)) {
                    transmitAndSchedule(now);
                    return;
                }
                finishLocked();
                timeout = streamProtocol == null
                        ? new StunTimeoutException(server, sent, policy.totalTimeout(), null)
                        : new StunTimeoutException(server, 0, policy.totalTimeout(), streamProtocol);
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
                rtt = Duration.ofNanos(System.nanoTime() - lastSentNanos); // Karn: not the RTO waits before
                requests = sent;
            }
            if (response.hasUnknownComprehensionRequired()) {
                future.completeExceptionally(StunClient.unknownAttributes(response, from));
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
            remove(this);
        }
    }
}
