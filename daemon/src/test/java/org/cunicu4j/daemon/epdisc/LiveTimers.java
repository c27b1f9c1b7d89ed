package org.cunicu4j.daemon.epdisc;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cunicu4j.ice.IceScheduler;
import org.cunicu4j.ice.testing.FakeIceScheduler;

/** A {@link FakeIceScheduler} that also knows how many of its tasks are still live (neither run nor cancelled). */
final class LiveTimers implements IceScheduler {
    private final FakeIceScheduler fake = new FakeIceScheduler();
    private final Set<Object> live = ConcurrentHashMap.newKeySet();

    @Override
    public long nanoTime() {
        return fake.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        Object token = new Object();
        live.add(token);
        Cancellable c = fake.schedule(() -> {
            if (live.remove(token)) {
                task.run();
            }
        }, delayNanos);
        return () -> {
            live.remove(token);
            c.cancel();
        };
    }

    void advance(Duration d) {
        fake.advance(d);
    }

    int live() {
        return live.size();
    }
}
