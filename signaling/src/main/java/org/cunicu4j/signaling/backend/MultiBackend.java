package org.cunicu4j.signaling.backend;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.seal.Rejection;
import org.cunicu4j.signaling.seal.SealStats;

/**
 * Several backends used as one: a publish goes to all of them, a subscription listens on
 * all of them. An envelope that arrives over several backends reaches the handler once:
 * each subscription remembers the nonces of its last {@value #DEDUP_WINDOW} messages (a
 * nonce is random per sealing, so a retransmission by the sender is a new message and is
 * delivered).
 *
 * <p>Owns its backends: {@link #close()} closes them. Thread-safe. Each subscription's handler
 * is called one message at a time (under the subscription's lock), whichever backend's thread
 * delivers it; a slow handler therefore holds up that subscription's other backends. A publish completes when
 * one backend took the envelope and fails only if all fail; {@code subscribed()} completes
 * when the first backend's subscription is live and fails only if all fail. {@link #stats()}
 * is a snapshot summing the backends' counters.
 */
public final class MultiBackend implements SignalingBackend {

    /** How many recent nonces each subscription remembers to drop duplicates. */
    public static final int DEDUP_WINDOW = 4096;

    private final List<SignalingBackend> backends;

    /** Combines {@code backends} (at least one), taking ownership of them. */
    public MultiBackend(List<? extends SignalingBackend> backends) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a multi-backend needs at least one backend");
        }
        this.backends = List.copyOf(backends);
    }

    /** The backends, in the order given. */
    public List<SignalingBackend> backends() {
        return backends;
    }

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        Objects.requireNonNull(envelope, "envelope");
        CompletableFuture<Void> result = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(backends.size());
        List<Throwable> failures = new ArrayList<>();
        for (SignalingBackend b : backends) {
            CompletableFuture<Void> f;
            try {
                f = b.publish(envelope);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((ok, err) -> {
                if (err == null) {
                    result.complete(null);
                } else {
                    synchronized (failures) {
                        failures.add(err);
                    }
                }
                if (pending.decrementAndGet() == 0 && !result.isDone()) {
                    result.completeExceptionally(failure("publish", failures));
                }
            });
        }
        return result;
    }

    @Override
    public Subscription subscribe(KeyPair keys, MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        Dedup dedup = new Dedup();
        // the backends deliver on their own threads: calling the handler under the dedup's
        // lock keeps one message at a time per subscription, as the interface promises
        MessageHandler once = opened -> {
            synchronized (dedup) {
                if (dedup.firstTime(opened.nonce())) {
                    handler.onMessage(opened);
                }
            }
        };
        List<Subscription> subs = new ArrayList<>();
        try {
            for (SignalingBackend b : backends) {
                subs.add(b.subscribe(keys, once));
            }
        } catch (RuntimeException e) {
            subs.forEach(Subscription::close);
            throw e;
        }
        return new Multi(keys, subs);
    }

    @Override
    public SealStats stats() {
        SealStats sum = new SealStats();
        for (SignalingBackend b : backends) {
            SealStats s = b.stats();
            sum.addOpened(s.opened());
            for (Rejection r : Rejection.values()) {
                sum.reject(r, s.rejected(r));
            }
        }
        return sum;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (SignalingBackend b : backends) {
            try {
                b.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "MultiBackend" + backends;
    }

    private static IllegalStateException failure(String what, List<Throwable> failures) {
        IllegalStateException e = new IllegalStateException(what + " failed on every backend");
        synchronized (failures) {
            failures.forEach(e::addSuppressed);
        }
        return e;
    }

    /** Recent nonces of one subscription. */
    private static final class Dedup {
        private final Map<ByteString, Boolean> seen = new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteString, Boolean> eldest) {
                return size() > DEDUP_WINDOW;
            }
        };

        synchronized boolean firstTime(ByteString nonce) {
            return seen.putIfAbsent(nonce, Boolean.TRUE) == null;
        }
    }

    private static final class Multi implements Subscription {
        private final KeyPair keys;
        private final List<Subscription> subs;
        private final CompletableFuture<Void> subscribed = new CompletableFuture<>();

        Multi(KeyPair keys, List<Subscription> subs) {
            this.keys = keys;
            this.subs = subs;
            AtomicInteger pending = new AtomicInteger(subs.size());
            List<Throwable> failures = new ArrayList<>();
            for (Subscription s : subs) {
                s.subscribed().whenComplete((ok, err) -> {
                    if (err == null) {
                        subscribed.complete(null);
                    } else {
                        synchronized (failures) {
                            failures.add(err);
                        }
                    }
                    if (pending.decrementAndGet() == 0 && !subscribed.isDone()) {
                        subscribed.completeExceptionally(failure("subscribe", failures));
                    }
                });
            }
        }

        @Override
        public KeyPair keys() {
            return keys;
        }

        @Override
        public CompletableFuture<Void> subscribed() {
            return subscribed;
        }

        @Override
        public void close() {
            subs.forEach(Subscription::close);
        }
    }
}
