package org.cunicu4j.ice;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Delivers listener calls one at a time, in order, on an executor (never on the caller's
 * thread): pion's "callbacks never run on the loop". A listener that throws is logged
 * and the others still run. An executor that refuses the task is logged once; the event
 * stays queued for the next emit, and emit never throws (it runs under the agent's lock).
 */
final class ListenerDispatch {
    private static final System.Logger LOG = System.getLogger(ListenerDispatch.class.getName());

    private final List<IceListener> listeners = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private final ArrayDeque<Consumer<IceListener>> queue = new ArrayDeque<>();
    private boolean running;
    private volatile boolean rejectionLogged;

    ListenerDispatch(Executor executor) {
        this.executor = executor != null ? executor : task -> Thread.ofVirtual().name("ice-listener").start(task);
    }

    void add(IceListener l) {
        listeners.add(l);
    }

    void remove(IceListener l) {
        listeners.remove(l);
    }

    void emit(Consumer<IceListener> event) {
        synchronized (queue) {
            queue.add(event);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // called under the agent's lock: never throw; the event waits for the next emit
            synchronized (queue) {
                running = false;
            }
            if (!rejectionLogged) {
                rejectionLogged = true;
                LOG.log(System.Logger.Level.WARNING, "the ICE listener executor refused a task; events wait", e);
            }
        }
    }

    private void drain() {
        while (true) {
            Consumer<IceListener> e;
            synchronized (queue) {
                e = queue.poll();
                if (e == null) {
                    running = false;
                    return;
                }
            }
            for (IceListener l : listeners) {
                try {
                    e.accept(l);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "ICE listener " + l + " threw", ex);
                }
            }
        }
    }
}
