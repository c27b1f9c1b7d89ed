package org.cunicu4j.signaling.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.cunicu4j.signaling.proto.BuildInfo;
import org.cunicu4j.signaling.proto.Empty;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.SignalingGrpc;
import org.cunicu4j.signaling.proto.signaling.SubscribeParams;

/**
 * {@code cunicu.signaling.Signaling}: Subscribe registers a {@link Subscriber} on its key's
 * topic (the marker envelope first), Publish offers the envelope to its recipient's topic and
 * returns at once. Envelopes are relayed unopened. Thread-safe; gRPC calls it on its executor.
 */
final class SignalingService extends SignalingGrpc.SignalingImplBase {

    static final int KEY_LENGTH = 32;

    private final Topics topics;
    private final ServerConfig config;
    private final BuildInfo buildInfo;
    private final ServerCounters counters;

    SignalingService(Topics topics, ServerConfig config, ServerCounters counters) {
        this.topics = topics;
        this.config = config;
        this.buildInfo = config.buildInfo();
        this.counters = counters;
    }

    @Override
    public void getBuildInfo(Empty request, StreamObserver<BuildInfo> response) {
        response.onNext(buildInfo);
        response.onCompleted();
    }

    @Override
    public void subscribe(SubscribeParams request, StreamObserver<Envelope> response) {
        if (request.getKey().size() != KEY_LENGTH) {
            counters.rejected.increment();
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("key must be 32 bytes, got " + request.getKey().size())
                    .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<Envelope> stream = (ServerCallStreamObserver<Envelope>) response;
        Subscriber s = new Subscriber(request.getKey(), stream, config.queueCapacity(), config.queueBytes(),
                counters);
        if (!topics.tryAdd(s, config.maxSubscribers())) {
            counters.refused.increment();
            response.onError(Status.RESOURCE_EXHAUSTED
                    .withDescription("signaling server has its maximum of " + config.maxSubscribers()
                            + " subscribers")
                    .asRuntimeException());
            return;
        }
        stream.setOnCancelHandler(() -> {
            s.cancelled();
            topics.remove(s);
        });
        stream.setOnReadyHandler(s::drain);
        counters.subscribes.increment();
        s.drain();
    }

    @Override
    public void publish(Envelope request, StreamObserver<Empty> response) {
        if (request.getRecipient().size() != KEY_LENGTH) {
            counters.rejected.increment();
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("recipient must be 32 bytes, got " + request.getRecipient().size())
                    .asRuntimeException());
            return;
        }
        counters.published.increment();
        if (topics.publish(request) == 0) {
            counters.unrouted.increment();
        }
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }
}
