package org.cunicu4j.ice;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link IceScheduler#system()}: System.nanoTime and one shared daemon timer thread that
 * only fires: each task runs on a virtual thread of its own, so a task that blocks (an
 * agent's send over a TURN TCP connection) never holds up another agent's ticks. An
 * agent's ticks stay serial: each schedules the next when it ends.
 */
final class SystemIceScheduler implements IceScheduler {
    static final SystemIceScheduler INSTANCE = new SystemIceScheduler();

    private final ScheduledExecutorService timer;

    private SystemIceScheduler() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "ice-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = timer.schedule(() -> Thread.ofVirtual().name("ice-tick").start(task),
                Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }
}
