package org.cunicu4j.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cunicu4j.signaling.server.TestKeys.envelope;
import static org.cunicu4j.signaling.server.TestKeys.key;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.junit.jupiter.api.Test;

class SubscriberTest {

    /** A stream that takes nothing until {@link #ready} is set. */
    private static final class Stalled extends ServerCallStreamObserver<Envelope> {
        boolean ready;
        final List<Envelope> written = new ArrayList<>();

        @Override public boolean isReady() { return ready; }
        @Override public boolean isCancelled() { return false; }
        @Override public void setOnReadyHandler(Runnable r) { }
        @Override public void setOnCancelHandler(Runnable r) { }
        @Override public void disableAutoInboundFlowControl() { }
        @Override public void request(int count) { }
        @Override public void setMessageCompression(boolean enable) { }
        @Override public void setCompression(String compression) { }
        @Override public void onNext(Envelope value) { written.add(value); }
        @Override public void onError(Throwable t) { }
        @Override public void onCompleted() { }
    }

    @Test
    void theByteBudgetDropsTheOldestEnvelopes() {
        ServerCounters counters = new ServerCounters();
        Stalled stream = new Stalled();
        int budget = 64 * 1024;
        Subscriber s = new Subscriber(key(1), stream, 1024, budget, counters);
        String big = "x".repeat(4000);
        int n = 100; // ~400 KB: far more than the budget, far fewer than the 1024 envelopes allowed
        for (int i = 0; i < n; i++) {
            s.offer(envelope(2, 1, big + "|" + i));
            assertThat(s.queuedBytes()).as("queued bytes after %d offers", i + 1).isLessThanOrEqualTo(budget);
        }
        int perEnvelope = envelope(2, 1, big + "|" + 50).getSerializedSize();
        assertThat(s.queued()).isEqualTo(budget / perEnvelope);
        assertThat(s.dropped()).isEqualTo(n - s.queued());
        assertThat(counters.dropped.sum()).isEqualTo(s.dropped());

        // what is left is the newest, and it all goes out once the stream is ready
        stream.ready = true;
        s.drain();
        assertThat(stream.written.getFirst()).isEqualTo(Envelope.getDefaultInstance());
        assertThat(stream.written.getLast().getContents().getBody().toStringUtf8()).endsWith("|" + (n - 1));
        assertThat(stream.written).hasSize(1 + s.queued() + (int) (n - s.dropped() - s.queued()));
        assertThat(s.queuedBytes()).isZero();
        assertThat(counters.delivered.sum()).isEqualTo(n - s.dropped());
    }

    @Test
    void theCountLimitStillHoldsForSmallEnvelopes() {
        ServerCounters counters = new ServerCounters();
        Subscriber s = new Subscriber(key(1), new Stalled(), 10, 64 * 1024, counters);
        for (int i = 0; i < 25; i++) {
            s.offer(envelope(2, 1, "m" + i));
        }
        assertThat(s.queued()).isEqualTo(10);
        assertThat(s.dropped()).isEqualTo(15);
    }
}
