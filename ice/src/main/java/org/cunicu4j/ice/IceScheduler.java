package org.cunicu4j.ice;

/**
 * The agent's clock and timer: the seam that lets tests run the agent on a fake clock
 * ({@link org.cunicu4j.ice.testing.FakeIceScheduler}). Implementations are thread-safe.
 */
public interface IceScheduler {

    /** A monotonic time in nanoseconds (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} from now, on a thread of the scheduler's choosing. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task. */
    interface Cancellable {
        void cancel();
    }

    /** The real clock, with timers on one shared daemon thread. */
    static IceScheduler system() {
        return SystemIceScheduler.INSTANCE;
    }
}
