package org.cunicu4j.wireguard.device;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Time for a {@link Device}: a monotonic clock for the protocol's timers, the wall clock for
 * handshake timestamps and "last handshake", and a ticker that drives the timers. The seam
 * that lets tests run the timers on a {@link FakeClock}.
 *
 * <p>Implementations are thread-safe.
 */
public interface Clock {

    /** Monotonic nanoseconds (origin arbitrary). */
    long nanos();

    /** The wall-clock time. */
    Instant now();

    /**
     * Calls {@code tick} every {@code period} until the returned handle is closed. The
     * system clock ticks on a daemon thread of its own; a fake clock ticks while it is
     * advanced.
     */
    AutoCloseable startTicker(Duration period, Runnable tick);

    /** The system's clocks ({@link System#nanoTime}, {@link Instant#now}). */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** {@link Clock#system()}. */
    final class SystemClock implements Clock {
        static final SystemClock INSTANCE = new SystemClock();

        private SystemClock() {}

        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public AutoCloseable startTicker(Duration period, Runnable tick) {
            ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wg-timers");
                t.setDaemon(true);
                return t;
            });
            long p = Math.max(1, period.toNanos());
            ses.scheduleAtFixedRate(tick, p, p, TimeUnit.NANOSECONDS);
            return ses::shutdownNow;
        }
    }
}
