package org.cunicu4j.daemon.control;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * The bounded queue between the daemon's event emitter and one watching client: the daemon
 * side ({@link #accept}) never blocks (beyond a short lock), a full queue drops the event and
 * counts it, and the client side ({@link #take}) gets one {@link DaemonEvent.Type#EVENTS_DROPPED}
 * notice in place of every run of dropped events, in order. Thread-safe: one producer and one
 * consumer at a time (more are fine too).
 */
final class WatchQueue implements Consumer<DaemonEvent> {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<DaemonEvent> queue;
    private final int capacity;
    private final AtomicLong droppedTotal;
    private final Clock clock;
    private long pendingDrops; // dropped since the last notice, under lock
    private boolean ended;

    /**
     * @param capacity events held at most (a notice takes a slot too)
     * @param droppedTotal a counter to add every dropped event to
     */
    WatchQueue(int capacity, AtomicLong droppedTotal, Clock clock) {
        if (capacity < 2) {
            throw new IllegalArgumentException("a watch queue needs room for an event and a notice, got capacity " + capacity);
        }
        this.capacity = capacity;
        this.queue = new ArrayDeque<>(capacity);
        this.droppedTotal = droppedTotal;
        this.clock = clock;
    }

    /** Queues {@code event}, or drops and counts it when the queue is full. Never blocks for long. */
    @Override
    public void accept(DaemonEvent event) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            int needed = pendingDrops > 0 ? 2 : 1;
            if (queue.size() + needed > capacity) {
                pendingDrops++;
                droppedTotal.incrementAndGet();
                return;
            }
            if (pendingDrops > 0) {
                queue.add(notice());
            }
            queue.add(event);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next event (or a notice of events dropped), waiting for one.
     *
     * @return null once {@link #end()} was called
     */
    DaemonEvent take() throws InterruptedException {
        lock.lock();
        try {
            while (!ended && queue.isEmpty() && pendingDrops == 0) {
                changed.await();
            }
            if (ended) {
                return null;
            }
            DaemonEvent e = queue.poll();
            return e != null ? e : notice(); // empty with drops pending: they came after all that was queued
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream: {@link #take()} returns null, later events are ignored. */
    void end() {
        lock.lock();
        try {
            ended = true;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A notice for the pending drops, which it resets; under lock. */
    private DaemonEvent notice() {
        long n = pendingDrops;
        pendingDrops = 0;
        return new DaemonEvent(clock.instant(), DaemonEvent.Type.EVENTS_DROPPED, null, null, null, null,
                n + (n == 1 ? " event" : " events") + " dropped: this watcher read too slowly");
    }
}
