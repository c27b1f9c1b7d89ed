package org.cunicu4j.ice;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Delivers listener calls one at a time, in order, on an executor (never on the caller's
 * thread): pion's "callbacks never run on the loop". A listener that throws is logged
 * and the others still run.
 */
final class ListenerDispatch {
    private static final System.Logger LOG = System.getLogger(ListenerDispatch.class.getName());

    private final List<IceListener> listeners = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private final ArrayDeque<Consumer<IceListener>> queue = new ArrayDeque<>();
    private boolean running;

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
        executor.execute(this::drain);
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
