package org.cunicu4j.signaling.seal;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of opened and rejected envelopes, one per {@link Rejection} reason. Thread-safe;
 * counting never allocates.
 */
public final class SealStats {

    private final LongAdder opened = new LongAdder();
    private final AtomicLongArray rejected = new AtomicLongArray(Rejection.values().length);

    /** Counts {@code result}: an opened message or a rejection by its reason. */
    public void record(OpenResult result) {
        switch (result) {
            case OpenResult.Opened o -> opened.increment();
            case OpenResult.Rejected r -> reject(r.reason());
        }
    }

    /** Counts one rejection for {@code reason}. */
    public void reject(Rejection reason) {
        rejected.incrementAndGet(reason.ordinal());
    }

    /** Adds {@code n} rejections for {@code reason} (e.g. to sum several backends). */
    public void reject(Rejection reason, long n) {
        rejected.addAndGet(reason.ordinal(), n);
    }

    /** Adds {@code n} opened envelopes (e.g. to sum several backends). */
    public void addOpened(long n) {
        opened.add(n);
    }

    /** Envelopes opened so far. */
    public long opened() {
        return opened.sum();
    }

    /** Envelopes rejected so far for {@code reason}. */
    public long rejected(Rejection reason) {
        return rejected.get(reason.ordinal());
    }

    /** Envelopes rejected so far, all reasons. */
    public long rejectedTotal() {
        long sum = 0;
        for (int i = 0; i < rejected.length(); i++) {
            sum += rejected.get(i);
        }
        return sum;
    }

    /** A snapshot of the non-zero rejection counters. */
    public Map<Rejection, Long> rejections() {
        Map<Rejection, Long> map = new EnumMap<>(Rejection.class);
        for (Rejection r : Rejection.values()) {
            long n = rejected(r);
            if (n != 0) {
                map.put(r, n);
            }
        }
        return map;
    }

    @Override
    public String toString() {
        return "SealStats[opened=" + opened() + ", rejected=" + rejections() + "]";
    }
}
