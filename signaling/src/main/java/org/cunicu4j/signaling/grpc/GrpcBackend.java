package org.cunicu4j.signaling.grpc;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.signaling.backend.MessageHandler;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.backend.SubscriptionRegistry;
import org.cunicu4j.signaling.proto.Empty;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.SignalingGrpc;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.SealStats;
import org.cunicu4j.wireguard.Key;

/**
 * A {@link SignalingBackend} that talks to a signaling server over gRPC.
 *
 * <p>Owns one {@link ManagedChannel} (TLS unless {@code insecure}) and one daemon scheduler
 * thread for (re)subscribing. One Subscribe stream per topic (our public key), however
 * many subscriptions share it; received envelopes are opened once through a
 * {@link SubscriptionRegistry}, rejections counted in {@link #stats()}. Handlers run on
 * gRPC's executor, one envelope at a time per topic. Thread-safe; {@link #close} cancels every subscription and releases the channel.
 */
public final class GrpcBackend implements SignalingBackend {

    /** The largest envelope accepted from the server (the server's own limit). */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private final GrpcBackendOptions options;
    private final ManagedChannel channel;
    private final SignalingGrpc.SignalingStub stub;
    private final ScheduledExecutorService scheduler;
    private final SubscriptionRegistry registry;
    private final Map<ByteString, TopicStream> streams = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    final LongAdder streamsOpened = new LongAdder();
    final LongAdder streamBreaks = new LongAdder();
    final LongAdder markers = new LongAdder();

    private GrpcBackend(GrpcBackendOptions options, ManagedChannel channel) {
        this.options = options;
        this.channel = channel;
        this.stub = SignalingGrpc.newStub(channel);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("grpc-signaling-" + options.host() + ":" + options.port())
                .daemon(true)
                .factory());
        this.registry = new SubscriptionRegistry(new SealStats(), new SubscriptionRegistry.TopicListener() {
            @Override
            public void topicAdded(KeyPair keys) {
                TopicStream stream = new TopicStream(GrpcBackend.this, keys.ourPublic(),
                        new Backoff(options.backoff(), new java.util.Random()));
                TopicStream old = streams.put(keys.ourPublicBytes(), stream);
                if (old != null) {
                    old.close();
                }
                schedule(stream::open, Duration.ZERO); // not under the registry's lock
            }

            @Override
            public void topicRemoved(Key recipient) {
                TopicStream stream = streams.remove(ByteString.copyFrom(recipient.bytes()));
                if (stream != null) {
                    stream.close();
                }
            }
        });
    }

    /**
     * Creates the channel (connections are made lazily, on the first call).
     *
     * @throws UncheckedIOException when the CA file cannot be read
     */
    public static GrpcBackend open(GrpcBackendOptions options) {
        ChannelCredentials creds;
        if (options.insecure()) {
            creds = InsecureChannelCredentials.create();
        } else if (options.caFile() != null) {
            try {
                creds = TlsChannelCredentials.newBuilder().trustManager(options.caFile().toFile()).build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read CA file " + options.caFile() + ": " + e.getMessage(), e);
            }
        } else {
            creds = TlsChannelCredentials.create();
        }
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(options.host(), options.port(), creds)
                .keepAliveTime(options.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .keepAliveWithoutCalls(false)
                .build();
        return new GrpcBackend(options, channel);
    }

    public GrpcBackendOptions options() {
        return options;
    }

    /**
     * Publishes through the server. Completes when the server acknowledged; exceptionally
     * with the gRPC status when it refused, or when the channel did not become ready within
     * the options' publish timeout.
     */
    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed.get()) {
            done.completeExceptionally(new IllegalStateException("signaling backend " + this + " is closed"));
            return done;
        }
        // wait-for-ready: a publish during a reconnect (server restart) goes out once the
        // channel is back, within the deadline, instead of failing at once
        stub.withDeadlineAfter(options.publishTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .withWaitForReady()
                .publish(envelope, new StreamObserver<>() {
                    @Override
                    public void onNext(Empty value) {}

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        return done;
    }

    /**
     * Adds a subscription; the topic's Subscribe stream opens (asynchronously) with the
     * topic's first subscription and closes with its last.
     *
     * @throws IllegalStateException after {@link #close}
     */
    @Override
    public Subscription subscribe(KeyPair keys, MessageHandler handler) {
        return registry.add(keys, handler);
    }

    @Override
    public SealStats stats() {
        return registry.stats();
    }

    /** Subscribe streams started so far, first attempts and resubscriptions. */
    public long streamsOpened() {
        return streamsOpened.sum();
    }

    /** Subscribe streams that ended or failed while wanted. */
    public long streamBreaks() {
        return streamBreaks.sum();
    }

    /** Marker envelopes received: one per stream the server accepted. */
    public long markers() {
        return markers.sum();
    }

    /** Exceptions thrown by message handlers (logged, counted, the stream goes on). */
    public long handlerFailures() {
        return registry.handlerFailures();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        registry.closeAll(new IllegalStateException("signaling backend " + this + " closed"));
        for (TopicStream s : streams.values()) {
            s.close();
        }
        streams.clear();
        scheduler.shutdownNow();
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "grpc://" + options.host() + ":" + options.port() + (options.insecure() ? "?insecure=true" : "");
    }

    // package-private plumbing for TopicStream

    SignalingGrpc.SignalingStub stub() {
        return stub;
    }

    SubscriptionRegistry registry() {
        return registry;
    }

    /** Runs {@code retry} after {@code delay}, first letting the channel reconnect at once. */
    void schedule(Runnable retry, Duration delay) {
        try {
            scheduler.schedule(() -> {
                channel.resetConnectBackoff();
                retry.run();
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: nothing to retry
        }
    }
}
