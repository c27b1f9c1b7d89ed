package org.cunicu4j.ice.testing;

import java.time.Duration;
import java.util.PriorityQueue;
import org.cunicu4j.ice.IceScheduler;

/**
 * A manual clock: time moves only in {@link #advance}, which runs the tasks that fall due
 * on the calling thread, in due order. Thread-safe (tasks may be scheduled from any
 * thread; only one thread advances at a time).
 */
public final class FakeIceScheduler implements IceScheduler {

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long seq;

    public FakeIceScheduler() {
        this(1_000_000_000L);
    }

    public FakeIceScheduler(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (FakeIceScheduler.this) {
                t.cancelled = true;
            }
        };
    }

    /** Moves time forward by {@code d}, running every task due on the way (at its due time). */
    public void advance(Duration d) {
        long end;
        synchronized (this) {
            end = now + d.toNanos();
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = tasks.peek();
                if (t == null || t.due > end) {
                    now = end;
                    return;
                }
                tasks.poll();
                now = Math.max(now, t.due);
                if (t.cancelled) {
                    continue;
                }
            }
            t.task.run();
        }
    }

    /** Number of tasks waiting (cancelled ones included until they fall due). */
    public synchronized int pending() {
        return tasks.size();
    }

    private static final class Task implements Comparable<Task> {
        final long due;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Task(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
