package org.cunicu4j.daemon.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.junit.jupiter.api.Test;

class WatchQueueTest {
    private final AtomicLong dropped = new AtomicLong();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void aFullQueueDropsAndTheReaderGetsOneNoticeInPlace() throws Exception {
        WatchQueue q = new WatchQueue(4, dropped, clock);
        for (int i = 0; i < 10; i++) {
            q.accept(FakeDaemonApi.event(i));
        }
        assertThat(dropped.get()).isEqualTo(6);
        for (int i = 0; i < 4; i++) {
            assertThat(q.take()).isEqualTo(FakeDaemonApi.event(i));
        }
        DaemonEvent notice = q.take();
        assertThat(notice.type()).isEqualTo(DaemonEvent.Type.EVENTS_DROPPED);
        assertThat(notice.message()).isEqualTo("6 events dropped: this watcher read too slowly");
        assertThat(notice.time()).isEqualTo(clock.instant());
        q.accept(FakeDaemonApi.event(10));
        assertThat(q.take()).isEqualTo(FakeDaemonApi.event(10));
    }

    @Test
    void theNoticePrecedesTheFirstEventAcceptedAfterDrops() throws Exception {
        WatchQueue q = new WatchQueue(3, dropped, clock);
        for (int i = 0; i < 4; i++) {
            q.accept(FakeDaemonApi.event(i)); // 3 is dropped
        }
        assertThat(q.take()).isEqualTo(FakeDaemonApi.event(0));
        q.accept(FakeDaemonApi.event(4)); // room for one, but the notice needs a slot too: dropped
        assertThat(q.take()).isEqualTo(FakeDaemonApi.event(1));
        q.accept(FakeDaemonApi.event(5)); // now the notice and the event fit
        assertThat(q.take()).isEqualTo(FakeDaemonApi.event(2));
        DaemonEvent notice = q.take();
        assertThat(notice.message()).isEqualTo("2 events dropped: this watcher read too slowly");
        assertThat(q.take()).isEqualTo(FakeDaemonApi.event(5));
    }

    @Test
    void endWakesTheReaderAndIgnoresLaterEvents() throws Exception {
        WatchQueue q = new WatchQueue(4, dropped, clock);
        Thread t = Thread.ofVirtual().start(q::end);
        assertThat(q.take()).isNull();
        t.join();
        q.accept(FakeDaemonApi.event(1));
        assertThat(q.take()).isNull();
        assertThat(dropped.get()).isZero();
    }
}
