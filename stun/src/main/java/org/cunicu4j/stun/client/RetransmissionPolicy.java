package org.cunicu4j.stun.client;

import java.time.Duration;
import java.util.Objects;

/**
 * When a STUN request over UDP is sent again and when the client gives up (RFC 8489
 * section 6.2.1): the first request, then a retransmission after {@code rto}, after
 * {@code 2*rto}, {@code 4*rto}, ... until {@code requests} (Rc) requests have gone out,
 * then a last wait of {@code lastWaitMultiplier * rto} (Rm). The defaults (500 ms, 7,
 * 16) send at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and give up at 39.5 s.
 * A {@code limit} shorter than that schedule cuts it: no request goes out after it, and
 * the transaction fails when it passes (TURN's configured request timeout).
 *
 * <p>On a stream (TCP, TLS) a transaction is one request and one wait:
 * {@code new RetransmissionPolicy(timeout, 1, 1)}.
 *
 * @param rto initial retransmission timeout, positive
 * @param requests Rc, the number of requests sent in all (at least 1)
 * @param lastWaitMultiplier Rm: the wait after the last request is {@code Rm * rto} (at least 1)
 * @param limit the longest a transaction may take in all, positive (the 3-argument
 *     constructor sets it to the whole schedule)
 */
public record RetransmissionPolicy(Duration rto, int requests, int lastWaitMultiplier, Duration limit) {
    /** RFC 8489's recommended values: RTO 500 ms, Rc 7, Rm 16. */
    public static final RetransmissionPolicy DEFAULT = new RetransmissionPolicy(Duration.ofMillis(500), 7, 16);

    public RetransmissionPolicy {
        Objects.requireNonNull(rto, "rto");
        if (rto.isNegative() || rto.isZero()) {
            throw new IllegalArgumentException("rto must be positive, got " + rto);
        }
        if (requests < 1 || requests > 30) {
            throw new IllegalArgumentException("requests (Rc) must be 1..30, got " + requests);
        }
        if (lastWaitMultiplier < 1) {
            throw new IllegalArgumentException("lastWaitMultiplier (Rm) must be at least 1, got " + lastWaitMultiplier);
        }
        Objects.requireNonNull(limit, "limit");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }

    /** The schedule of Rc requests and the Rm wait, with no further limit. */
    public RetransmissionPolicy(Duration rto, int requests, int lastWaitMultiplier) {
        this(rto, requests, lastWaitMultiplier, schedule(rto, requests, lastWaitMultiplier));
    }

    private static Duration schedule(Duration rto, int requests, int lastWaitMultiplier) {
        Objects.requireNonNull(rto, "rto");
        if (requests < 1 || requests > 30 || lastWaitMultiplier < 1) {
            return rto.abs().plusMillis(1); // the canonical constructor names the bad value
        }
        return rto.multipliedBy((1L << (requests - 1)) - 1 + lastWaitMultiplier);
    }

    /** This schedule, cut at {@code limit}. */
    public RetransmissionPolicy withLimit(Duration limit) {
        return new RetransmissionPolicy(rto, requests, lastWaitMultiplier, limit);
    }

    /** The defaults with another initial RTO. */
    public static RetransmissionPolicy withRto(Duration rto) {
        return new RetransmissionPolicy(rto, DEFAULT.requests, DEFAULT.lastWaitMultiplier);
    }

    /** How long to wait after sending request number {@code sent} (1-based) before the next step. */
    public Duration waitAfter(int sent) {
        return sent < requests ? rto.multipliedBy(1L << (sent - 1)) : rto.multipliedBy(lastWaitMultiplier);
    }

    /** True when {@link #limit} cuts the schedule short. */
    public boolean limited() {
        return limit.compareTo(schedule(rto, requests, lastWaitMultiplier)) < 0;
    }

    /** From the first request until the client gives up: 39.5 s for the defaults. */
    public Duration totalTimeout() {
        Duration total = schedule(rto, requests, lastWaitMultiplier);
        return total.compareTo(limit) <= 0 ? total : limit;
    }
}
