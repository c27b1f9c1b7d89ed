package org.cunicu4j.daemon.pdisc;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.signaling.backend.MessageHandler;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.SealStats;

/** A real backend whose next publishes can be lost silently or refused, as on a lossy medium. */
final class LossyBackend implements SignalingBackend {
    private volatile SignalingBackend delegate;
    /** Publishes to lose without telling the caller. */
    final AtomicInteger dropNext = new AtomicInteger();
    /** Publishes to refuse (the future fails). */
    final AtomicInteger failNext = new AtomicInteger();

    /** Sets the backend that does the work; before that, nothing may be published or subscribed. */
    void attach(SignalingBackend backend) {
        this.delegate = backend;
    }

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return CompletableFuture.failedFuture(new IOException("injected: signaling server unreachable"));
        }
        return delegate.publish(envelope);
    }

    @Override
    public Subscription subscribe(KeyPair keys, MessageHandler handler) {
        return delegate.subscribe(keys, handler);
    }

    @Override
    public SealStats stats() {
        return delegate.stats();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
