package org.cunicu4j.daemon;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * Fans {@link DaemonEvent}s out to watchers. Each watcher has a bounded queue and a thread
 * of its own; {@link #publish} never blocks: when a watcher's queue is full the event is
 * dropped for that watcher, and before its next event it gets one
 * {@link DaemonEvent.Type#EVENTS_DROPPED} saying how many it missed. A listener that throws
 * is logged and keeps receiving.
 *
 * <p>Thread-safe. Owned by the {@link Daemon}; {@link #close()} stops every watcher.
 */
final class EventHub implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventHub.class.getName());

    /** Events a watcher may lag behind before events are dropped for it. */
    static final int QUEUE = 1024;

    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final int capacity;
    private volatile boolean closed;

    EventHub() {
        this(QUEUE);
    }

    EventHub(int capacity) {
        this.capacity = capacity;
    }

    /** Delivers {@code event} to every watcher (asynchronously); logs it at DEBUG. */
    void publish(DaemonEvent event) {
        LOG.log(System.Logger.Level.DEBUG, "event {0}", event);
        for (Watcher w : watchers) {
            w.offer(event);
        }
    }

    /** Calls {@code listener} with every event from now on, until the handle is closed. */
    AutoCloseable watch(Consumer<DaemonEvent> listener) {
        Watcher w = new Watcher(listener, capacity);
        if (closed) {
            return () -> { };
        }
        watchers.add(w);
        w.thread.start();
        return () -> {
            watchers.remove(w);
            w.stop();
        };
    }

    /** How many watchers are registered. */
    int watchers() {
        return watchers.size();
    }

    @Override
    public void close() {
        closed = true;
        for (Watcher w : watchers) {
            w.stop();
        }
        watchers.clear();
    }

    private static final class Watcher {
        private final Consumer<DaemonEvent> listener;
        private final BlockingQueue<DaemonEvent> queue;
        private final AtomicLong missed = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopped;

        Watcher(Consumer<DaemonEvent> listener, int capacity) {
            this.listener = listener;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.thread = Thread.ofVirtual().name("daemon-watcher").unstarted(this::run);
        }

        void offer(DaemonEvent e) {
            if (!stopped && !queue.offer(e)) {
                missed.incrementAndGet();
            }
        }

        void stop() {
            stopped = true;
            thread.interrupt();
        }

        private void run() {
            while (!stopped) {
                DaemonEvent e;
                try {
                    e = queue.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    return;
                }
                long lost = missed.getAndSet(0);
                if (lost > 0) {
                    deliver(new DaemonEvent(Instant.now(), DaemonEvent.Type.EVENTS_DROPPED, null, null, null, null,
                            lost + " event(s) dropped: this watcher was too slow"));
                }
                if (e != null) {
                    deliver(e);
                }
            }
        }

        private void deliver(DaemonEvent e) {
            try {
                listener.accept(e);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "an event watcher failed on {0}: {1}", e.type(), ex.toString());
            }
        }
    }
}
