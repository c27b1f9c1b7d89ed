package org.cunicu4j.signaling.backend;

import java.util.concurrent.CompletableFuture;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.SealStats;
import org.cunicu4j.signaling.seal.Sealer;

/**
 * A way to exchange sealed envelopes with other peers: a gRPC server, a multicast group,
 * a hub in this process. Delivery may be lossy, duplicated (see {@link MultiBackend}) and
 * unordered; callers retransmit what matters.
 *
 * <p>Implementations are thread-safe. {@link #publish} and {@link #subscribe} return
 * quickly and never block on the network. Received envelopes are opened with the
 * subscription's keys; envelopes that do not open are counted in {@link #stats()} and
 * dropped, never thrown into the receive loop.
 */
public interface SignalingBackend extends AutoCloseable {

    /**
     * Sends {@code envelope} to the topic of its recipient. Completes when the transport has
     * taken it (the server acknowledged, the datagram was sent), exceptionally if it could
     * not; a completed publish does not mean the recipient is listening.
     */
    CompletableFuture<Void> publish(Envelope envelope);

    /** Seals {@code message} from {@code keys.ours()} to {@code keys.theirs()} and publishes it. */
    default CompletableFuture<Void> publish(Message message, KeyPair keys) {
        return publish(Sealer.seal(message, keys));
    }

    /**
     * Delivers to {@code handler} every message sent to {@code keys.ourPublic()} by
     * {@code keys.theirs()} (any sender if it is the wildcard), until the returned
     * subscription or this backend is closed. Several subscriptions may share a recipient.
     */
    Subscription subscribe(KeyPair keys, MessageHandler handler);

    /** Opened and rejected envelopes of this backend's subscriptions. */
    SealStats stats();

    /** Closes every subscription and releases the transport. Idempotent. */
    @Override
    void close();
}
