package org.cunicu4j.ice;

import java.time.Duration;

/**
 * A candidate pair in the check list (RFC 8445 §6.1.2). Mutable, guarded by the agent's
 * lock except {@link #traffic} and the RTT fields read for snapshots.
 */
final class CheckPair {
    LocalEntry local;
    final RemoteEntry remote;
    long priority;
    CandidatePairState state = CandidatePairState.FROZEN;
    /** In the valid list: a check on it (or on the pair it was constructed from) succeeded. */
    boolean valid;
    boolean nominated;
    /** Controlled: the controlling agent sent USE-CANDIDATE before this pair's check succeeded. */
    boolean nominateOnSuccess;
    /** Built from a successful check's mapped address (§7.2.5.3.2), not formed by pairing: never checked on its own. */
    boolean constructed;
    /** The valid pair constructed from this pair's successful check (often the pair itself). */
    CheckPair validPair;
    /** Last authenticated success response to a check or consent request on this pair (agent clock). */
    long lastConsentNanos;
    final Traffic traffic = new Traffic();
    volatile long currentRttNanos = -1;
    volatile long totalRttNanos;
    volatile long rttSamples;

    CheckPair(LocalEntry local, RemoteEntry remote) {
        this.local = local;
        this.remote = remote;
    }

    String foundation() {
        return local.candidate.foundation() + ":" + remote.candidate.foundation();
    }

    void recomputePriority(IceRole role) {
        long l = local.candidate.priority();
        long r = remote.candidate.priority();
        priority = role == IceRole.CONTROLLING ? pairPriority(l, r) : pairPriority(r, l);
    }

    /**
     * RFC 8445 §6.1.2.3: {@code 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)}, G the controlling
     * agent's candidate priority, D the controlled's. Compare results with
     * {@link Long#compareUnsigned}: for candidate priorities of 2^31 and more the value
     * uses the sign bit.
     */
    static long pairPriority(long g, long d) {
        return (Math.min(g, d) << 32) + 2 * Math.max(g, d) + (g > d ? 1 : 0);
    }

    void recordRtt(long rtt) {
        currentRttNanos = rtt;
        totalRttNanos += rtt;
        rttSamples++;
    }

    boolean sameRoute(CheckPair o) {
        return local.base == o.local.base && remote.candidate.address().equals(o.remote.candidate.address());
    }

    CandidatePairStats snapshot(boolean selected) {
        long cur = currentRttNanos;
        return new CandidatePairStats(local.candidate, remote.candidate, priority, state, valid, nominated, selected,
                traffic.snapshot(), cur < 0 ? null : Duration.ofNanos(cur), Duration.ofNanos(totalRttNanos), rttSamples);
    }

    @Override
    public String toString() {
        return local.candidate.address() + "(" + local.candidate.type().sdpName() + ")->" + remote.candidate.address()
                + "(" + remote.candidate.type().sdpName() + ") " + state + (valid ? " valid" : "")
                + (nominated ? " nominated" : "");
    }
}
