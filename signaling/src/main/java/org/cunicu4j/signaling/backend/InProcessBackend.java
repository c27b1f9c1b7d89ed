package org.cunicu4j.signaling.backend;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.SealStats;

/**
 * A backend whose peers live in this process: every backend opened on the same hub name
 * ({@code inprocess:NAME}, {@code inprocess:} for the hub "default") sees the envelopes the
 * others publish, as if they shared a server. For tests and single-process setups.
 *
 * <p>Thread-safe. {@code publish} hands the envelope to every member's own delivery thread
 * (one virtual thread per backend, so handlers see messages in publish order and a handler
 * that publishes cannot recurse); the queues are unbounded. Subscriptions are live at once.
 * A hub exists while it has members.
 */
public final class InProcessBackend implements SignalingBackend {

    /** The URL scheme. */
    public static final String SCHEME = "inprocess";
    /** The hub of {@code inprocess:} without a name. */
    public static final String DEFAULT_HUB = "default";

    private static final Map<String, Hub> HUBS = new ConcurrentHashMap<>();

    private final String hubName;
    private final SubscriptionRegistry registry;
    private final ExecutorService delivery;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InProcessBackend(String hubName) {
        this.hubName = hubName;
        this.registry = new SubscriptionRegistry(new SealStats(), SubscriptionRegistry.NO_LISTENER);
        this.delivery = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("signaling-inprocess-" + hubName + "-", 0).factory());
    }

    /** Joins the hub {@code hubName} (created on first use). */
    public static InProcessBackend open(String hubName) {
        Objects.requireNonNull(hubName, "hubName");
        String name = hubName.isEmpty() ? DEFAULT_HUB : hubName;
        InProcessBackend backend = new InProcessBackend(name);
        HUBS.compute(name, (k, hub) -> {
            Hub h = hub == null ? new Hub() : hub;
            h.members.add(backend);
            return h;
        });
        return backend;
    }

    /** The hub this backend belongs to. */
    public String hubName() {
        return hubName;
    }

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        Objects.requireNonNull(envelope, "envelope");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("backend is closed"));
        }
        Hub hub = HUBS.get(hubName);
        if (hub != null) {
            for (InProcessBackend member : hub.members) {
                member.enqueue(envelope);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private void enqueue(Envelope envelope) {
        try {
            delivery.execute(() -> registry.deliver(envelope));
        } catch (RejectedExecutionException e) {
            // closing: the envelope is lost, as on a real medium
        }
    }

    @Override
    public Subscription subscribe(KeyPair keys, MessageHandler handler) {
        Subscription subscription = registry.add(keys, handler);
        registry.markLive(keys.ourPublic());
        return subscription;
    }

    @Override
    public SealStats stats() {
        return registry.stats();
    }

    /** Envelopes on the hub for recipients without a subscription here. */
    public long notForUs() {
        return registry.notForUs();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        HUBS.computeIfPresent(hubName, (k, hub) -> {
            hub.members.remove(this);
            return hub.members.isEmpty() ? null : hub;
        });
        registry.closeAll(new IllegalStateException("backend closed"));
        delivery.shutdownNow();
    }

    @Override
    public String toString() {
        return SCHEME + ":" + hubName;
    }

    private static final class Hub {
        final List<InProcessBackend> members = new CopyOnWriteArrayList<>();
    }

    /** The {@code inprocess:[name]} scheme. */
    public static final class Factory implements BackendFactory {

        @Override
        public String scheme() {
            return SCHEME;
        }

        @Override
        public SignalingBackend open(BackendUrl url) {
            url.requireOnlyParams(java.util.Set.of());
            String name = url.opaque().isEmpty() ? url.host().orElse("") : url.opaque();
            return InProcessBackend.open(name);
        }
    }
}
