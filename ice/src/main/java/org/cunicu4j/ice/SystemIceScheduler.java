package org.cunicu4j.ice;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link IceScheduler#system()}: System.nanoTime and one shared daemon timer thread. Tasks
 * must be short (agents only take their lock, send a few datagrams and return).
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
        ScheduledFuture<?> f = timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }
}
