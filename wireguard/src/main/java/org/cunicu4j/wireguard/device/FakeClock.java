package org.cunicu4j.wireguard.device;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Clock} that moves only when told: {@link #advance} steps the time forward by
 * the tickers' period and runs each ticker at every step, on the calling thread. For tests
 * of the protocol timers.
 *
 * <p>Thread-safe; {@link #advance} should be called by one thread at a time.
 */
public final class FakeClock implements Clock {
    private final List<Ticker> tickers = new CopyOnWriteArrayList<>();
    private volatile long nanos = 1_000_000_000L;
    private final Instant origin;

    public FakeClock(Instant wallAtStart) {
        this.origin = wallAtStart.minusNanos(nanos);
    }

    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public Instant now() {
        return origin.plusNanos(nanos);
    }

    @Override
    public AutoCloseable startTicker(Duration period, Runnable tick) {
        Ticker t = new Ticker(Math.max(1, period.toNanos()), tick, nanos);
        tickers.add(t);
        return () -> tickers.remove(t);
    }

    /** Moves time forward by {@code d} in steps no longer than any ticker's period, ticking as it goes. */
    public void advance(Duration d) {
        long end = nanos + d.toNanos();
        while (true) {
            long next = end;
            for (Ticker t : tickers) {
                next = Math.min(next, t.next);
            }
            nanos = next;
            for (Ticker t : tickers) {
                if (t.next <= next) {
                    t.next += t.period;
                    t.tick.run();
                }
            }
            if (next >= end) {
                return;
            }
        }
    }

    private static final class Ticker {
        final long period;
        final Runnable tick;
        long next;

        Ticker(long period, Runnable tick, long start) {
            this.period = period;
            this.tick = tick;
            this.next = start + period;
        }
    }
}
