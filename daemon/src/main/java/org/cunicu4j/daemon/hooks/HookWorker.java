package org.cunicu4j.daemon.hooks;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * One hook's bounded queue and the virtual thread that runs it, one event at a time in
 * order. {@link #offer} never blocks: when the queue is full the event is dropped for this
 * hook and counted (logged at the 1st, 2nd, 4th, 8th... drop). A hook that hangs holds up only
 * its own queue, and only until its timeout. Thread-safe.
 */
final class HookWorker {
    private static final System.Logger LOG = System.getLogger(HookWorker.class.getName());

    private final HookRunner runner;
    private final BlockingQueue<DaemonEvent> queue;
    private final Thread thread;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    HookWorker(HookRunner runner, int capacity) {
        this.runner = runner;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = Thread.ofVirtual().name("hook " + runner.name()).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    void offer(DaemonEvent e) {
        pending.incrementAndGet();
        if (!queue.offer(e)) {
            pending.decrementAndGet();
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.log(System.Logger.Level.WARNING, "hook {0} is behind: {1} event(s) dropped so far", runner.name(), n);
            }
        }
    }

    /** True when nothing is queued or running. */
    boolean idle() {
        return pending.get() == 0;
    }

    /** Interrupts the worker: a running hook is killed (exec) or abandoned (web); queued events are dropped. */
    void stop() {
        thread.interrupt();
    }

    void join(java.time.Duration d) throws InterruptedException {
        thread.join(d);
    }

    Hooks.Stats stats() {
        return new Hooks.Stats(runner.name(), runs.get(), failures.get(), timeouts.get(), dropped.get());
    }

    private void loop() {
        while (true) {
            DaemonEvent e;
            try {
                e = queue.take();
            } catch (InterruptedException ie) {
                return;
            }
            try {
                Outcome o = runner.run(e, EventJson.render(e));
                runs.incrementAndGet();
                if (o == Outcome.FAILED) {
                    failures.incrementAndGet();
                } else if (o == Outcome.TIMED_OUT) {
                    timeouts.incrementAndGet();
                }
            } catch (InterruptedException ie) {
                return;
            } catch (RuntimeException ex) {
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "hook " + runner.name() + " failed on " + e.type(), ex);
            } finally {
                pending.decrementAndGet();
            }
        }
    }
}
