package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;

/**
 * The client transactions of one allocation (RFC 8489 section 6.2): each request is sent,
 * retransmitted over UDP after RTO, 2 RTO, 4 RTO... (at most {@value #RC} transmissions,
 * then a last wait of {@value #RM} RTO), sent once over TCP/TLS, and fails when the
 * configured request timeout passes first. Responses are matched by transaction ID.
 *
 * <p>Threading: requests may start on any thread; timers run on the allocation's
 * scheduler and never block; {@link #onResponse} is called by the reader thread.
 */
final class Transactions {
    /** RFC 8489's Rc: transmissions of a request over UDP. */
    static final int RC = 7;
    /** RFC 8489's Rm: the last wait, in RTOs. */
    static final int RM = 16;

    private final ServerLink link;
    private final ScheduledExecutorService scheduler;
    private final long rtoNanos;
    private final long timeoutNanos;
    private final String serverName;
    private final Map<TransactionId, Pending> pending = new ConcurrentHashMap<>();

    Transactions(ServerLink link, ScheduledExecutorService scheduler, TurnConfig config, String serverName) {
        this.link = link;
        this.scheduler = scheduler;
        this.rtoNanos = config.rto().toNanos();
        this.timeoutNanos = config.requestTimeout().toNanos();
        this.serverName = serverName;
    }

    private final class Pending {
        final TransactionId tid;
        final byte[] request;
        final MessageType type;
        final CompletableFuture<StunMessage> result = new CompletableFuture<>();
        final long deadline;
        long nextWait = rtoNanos;
        int transmissions;
        ScheduledFuture<?> timer;

        Pending(TransactionId tid, byte[] request, MessageType type) {
            this.tid = tid;
            this.request = request;
            this.type = type;
            this.deadline = System.nanoTime() + timeoutNanos;
        }

        synchronized void transmit() {
            if (result.isDone()) {
                return;
            }
            long now = System.nanoTime();
            boolean mayRetransmit = !link.reliable() && transmissions < RC;
            if (transmissions > 0 && (now - deadline >= 0 || !mayRetransmit)) {
                fail(now);
                return;
            }
            try {
                link.send(ByteBuffer.wrap(request));
            } catch (IOException e) {
                complete(null, new TurnException(TurnException.Kind.CLOSED,
                        "cannot send " + type + " to TURN server " + serverName + ": " + e.getMessage(), e));
                return;
            }
            transmissions++;
            long wait;
            if (link.reliable()) {
                wait = deadline - now;
            } else if (transmissions < RC) {
                wait = Math.min(nextWait, deadline - now);
                nextWait *= 2;
            } else {
                wait = Math.min(RM * rtoNanos, deadline - now);
            }
            timer = scheduler.schedule(this::transmit, Math.max(0, wait), TimeUnit.NANOSECONDS);
        }

        private void fail(long now) {
            double seconds = timeoutNanos / 1e9;
            complete(null, new TurnException(TurnException.Kind.TIMEOUT, 0,
                    "TURN server " + serverName + " did not answer the " + type + " within "
                            + formatSeconds(Math.min(seconds, (now - deadline + timeoutNanos) / 1e9)) + " ("
                            + transmissions + (transmissions == 1 ? " transmission" : " transmissions") + ")"));
        }

        void complete(StunMessage response, Throwable error) {
            pending.remove(tid, this);
            synchronized (this) {
                if (timer != null) {
                    timer.cancel(false);
                }
            }
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(response);
            }
        }
    }

    static String formatSeconds(double s) {
        return s == Math.rint(s) ? (long) s + " s" : String.format(java.util.Locale.ROOT, "%.1f s", s);
    }

    /** Starts a transaction for {@code request} (the encoded message carrying {@code tid}). */
    CompletableFuture<StunMessage> start(TransactionId tid, byte[] request, MessageType type) {
        Pending p = new Pending(tid, request, type);
        pending.put(tid, p);
        p.transmit();
        return p.result;
    }

    /**
     * Completes the transaction {@code response} answers (the message must be a private
     * copy); false when no transaction waits for it (a late retransmission's answer).
     */
    boolean onResponse(StunMessage response) {
        Pending p = pending.get(response.transactionId());
        if (p == null) {
            return false;
        }
        p.complete(response, null);
        return true;
    }

    /** Fails every outstanding transaction (the allocation is closing or lost). */
    void failAll(IOException cause) {
        for (Pending p : pending.values()) {
            p.complete(null, cause);
        }
    }
}
