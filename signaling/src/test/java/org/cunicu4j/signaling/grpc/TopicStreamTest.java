package org.cunicu4j.signaling.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.ServerSocket;
import java.util.Random;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.SubscribeParams;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives a TopicStream's call observer directly, as gRPC would after a cancel raced a message. */
class TopicStreamTest {

    private final Key bob = Key.generatePrivate();
    private GrpcBackend backend;

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    /** A backend whose server is not there: its own Subscribe streams never go live. */
    private GrpcBackend nowhere() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        backend = GrpcBackend.open(GrpcBackendOptions.insecure("127.0.0.1", port));
        return backend;
    }

    private static final class FakeCall extends ClientCallStreamObserver<SubscribeParams> {
        volatile boolean cancelled;

        @Override public void cancel(String message, Throwable cause) { cancelled = true; }
        @Override public boolean isReady() { return true; }
        @Override public void setOnReadyHandler(Runnable onReadyHandler) { }
        @Override public void disableAutoInboundFlowControl() { }
        @Override public void request(int count) { }
        @Override public void setMessageCompression(boolean enable) { }
        @Override public void onNext(SubscribeParams value) { }
        @Override public void onError(Throwable t) { }
        @Override public void onCompleted() { }
    }

    @Test
    void aMarkerOfACancelledStreamDoesNotMakeAReAddedTopicLive() throws Exception {
        GrpcBackend b = nowhere();
        TopicStream old = new TopicStream(b, bob.publicKey(), new Backoff(Backoff.DEFAULT, new Random(1)));
        ClientResponseObserver<SubscribeParams, Envelope> observer = old.newObserver();
        FakeCall call = new FakeCall();
        observer.beforeStart(call);
        old.close();
        assertThat(call.cancelled).isTrue();

        // the topic is added again (a new TopicStream of the backend's, to a server that is not there)
        Subscription again = b.subscribe(KeyPair.wildcard(bob), m -> { });
        // ... and now the old call's marker, in flight when it was cancelled, arrives
        observer.onNext(Envelope.getDefaultInstance());
        assertThat(again.subscribed()).as("subscribed() of the re-added topic").isNotDone();
        assertThat(b.markers()).isZero();
    }

    @Test
    void aMarkerOfASupersededCallIsIgnored() throws Exception {
        GrpcBackend b = nowhere();
        Subscription sub = b.subscribe(KeyPair.wildcard(bob), m -> { });
        TopicStream t = new TopicStream(b, bob.publicKey(), new Backoff(Backoff.DEFAULT, new Random(1)));
        ClientResponseObserver<SubscribeParams, Envelope> first = t.newObserver();
        first.beforeStart(new FakeCall());
        ClientResponseObserver<SubscribeParams, Envelope> second = t.newObserver();
        second.beforeStart(new FakeCall());
        first.onNext(Envelope.getDefaultInstance());
        assertThat(sub.subscribed()).as("after the superseded call's marker").isNotDone();
        second.onNext(Envelope.getDefaultInstance());
        assertThat(sub.subscribed()).as("after the current call's marker").isCompleted();
    }
}
