package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.junit.jupiter.api.Test;

class EventHubTest {

    private static DaemonEvent event(int i) {
        return new DaemonEvent(Instant.now(), DaemonEvent.Type.PEER_ADDED, "wg0", null, null, null, "e" + i);
    }

    @Test
    void everyWatcherGetsEveryEventInOrder() throws Exception {
        try (EventHub hub = new EventHub()) {
            List<String> a = new CopyOnWriteArrayList<>();
            List<String> b = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(2);
            hub.watch(e -> { a.add(e.message()); if (a.size() == 10) done.countDown(); });
            hub.watch(e -> { b.add(e.message()); if (b.size() == 10) done.countDown(); });
            for (int i = 0; i < 10; i++) {
                hub.publish(event(i));
            }
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(a).containsExactly("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void aSlowWatcherMissesEventsAndIsToldHowMany() throws Exception {
        try (EventHub hub = new EventHub(4)) {
            CountDownLatch release = new CountDownLatch(1);
            List<DaemonEvent> got = new CopyOnWriteArrayList<>();
            CountDownLatch first = new CountDownLatch(1);
            hub.watch(e -> {
                got.add(e);
                first.countDown();
                try {
                    release.await();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            });
            hub.publish(event(0));
            assertThat(first.await(5, TimeUnit.SECONDS)).isTrue(); // the watcher is stuck in e0
            for (int i = 1; i <= 20; i++) {
                hub.publish(event(i)); // 4 queued, 16 dropped; publish never blocks
            }
            release.countDown();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (got.size() < 6 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(got).hasSize(6);
            assertThat(got.get(1).type()).isEqualTo(DaemonEvent.Type.EVENTS_DROPPED);
            assertThat(got.get(1).message()).startsWith("16 event(s) dropped");
            assertThat(got.subList(2, 6)).extracting(DaemonEvent::message).containsExactly("e1", "e2", "e3", "e4");
        }
    }

    @Test
    void aClosedWatchStopsDelivery() throws Exception {
        try (EventHub hub = new EventHub()) {
            AutoCloseable w = hub.watch(e -> { });
            assertThat(hub.watchers()).isEqualTo(1);
            w.close();
            assertThat(hub.watchers()).isZero();
        }
    }
}
