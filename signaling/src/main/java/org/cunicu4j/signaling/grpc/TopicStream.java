package org.cunicu4j.signaling.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.lang.System.Logger.Level;
import java.time.Duration;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.SubscribeParams;
import org.cunicu4j.wireguard.Key;

/**
 * The Subscribe stream of one topic (our public key) of a {@link GrpcBackend}: kept open while
 * the topic has subscriptions, reopened after a jittered backoff whenever it ends. The marker
 * envelope marks the topic live in the backend's registry; every other envelope goes to the
 * registry, which opens it and calls the handlers.
 *
 * <p>Threading: stream callbacks arrive on gRPC's executor, one at a time per stream;
 * (re)opening runs on the backend's scheduler. State changes are guarded by {@code this}.
 */
final class TopicStream {

    private static final System.Logger LOG = System.getLogger(TopicStream.class.getName());

    private final GrpcBackend backend;
    private final Key recipient;
    private final ByteString recipientBytes;
    private final Backoff backoff;
    // guarded by this
    private boolean closed;
    private ClientCallStreamObserver<SubscribeParams> call;

    TopicStream(GrpcBackend backend, Key recipient, Backoff backoff) {
        this.backend = backend;
        this.recipient = recipient;
        this.recipientBytes = ByteString.copyFrom(recipient.bytes());
        this.backoff = backoff;
    }

    Key recipient() {
        return recipient;
    }

    /** Starts a Subscribe stream unless closed. */
    void open() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        backend.streamsOpened.increment();
        backend.stub().subscribe(SubscribeParams.newBuilder().setKey(recipientBytes).build(), newObserver());
    }

    /** The observer of one Subscribe call (package-private for tests that drive it directly). */
    ClientResponseObserver<SubscribeParams, Envelope> newObserver() {
        return new Stream();
    }

    /** Ends the stream for good (the topic's last subscription went, or the backend closed). */
    void close() {
        ClientCallStreamObserver<SubscribeParams> c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = call;
        }
        if (c != null) {
            c.cancel("subscription closed", null);
        }
    }

    private final class Stream implements ClientResponseObserver<SubscribeParams, Envelope> {
        private boolean live;
        private ClientCallStreamObserver<SubscribeParams> self; // guarded by TopicStream.this

        /**
         * False once the topic stream was closed or this call was replaced by a newer one:
         * a cancelled call may still deliver what was in flight, and its marker must not
         * complete the {@code subscribed()} of a topic re-added meanwhile.
         */
        private boolean current() {
            synchronized (TopicStream.this) {
                return !closed && call == self;
            }
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<SubscribeParams> requestStream) {
            boolean cancelNow;
            synchronized (TopicStream.this) {
                self = requestStream;
                call = requestStream;
                cancelNow = closed;
            }
            if (cancelNow) {
                requestStream.cancel("subscription closed", null);
            }
        }

        @Override
        public void onNext(Envelope envelope) {
            if (!current()) {
                return;
            }
            if (envelope.getSerializedSize() == 0) {
                if (!live) {
                    live = true;
                    backend.markers.increment();
                    synchronized (TopicStream.this) {
                        backoff.reset();
                    }
                    backend.registry().markLive(recipient);
                }
                return; // a second marker says nothing new
            }
            backend.registry().deliver(recipientBytes, envelope);
        }

        @Override
        public void onError(Throwable t) {
            broken(Status.fromThrowable(t).toString());
        }

        @Override
        public void onCompleted() {
            broken("stream completed by the server");
        }

        private void broken(String why) {
            Duration delay;
            synchronized (TopicStream.this) {
                if (closed) {
                    return;
                }
                delay = backoff.next();
            }
            backend.registry().markDown(recipient);
            backend.streamBreaks.increment();
            LOG.log(Level.DEBUG, "subscription of {0} to {1} broke ({2}); resubscribing in {3} ms", recipient,
                    backend, why, delay.toMillis());
            backend.schedule(TopicStream.this::open, delay);
        }
    }
}
