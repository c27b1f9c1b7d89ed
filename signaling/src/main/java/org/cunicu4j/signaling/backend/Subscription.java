package org.cunicu4j.signaling.backend;

import java.util.concurrent.CompletableFuture;
import org.cunicu4j.signaling.seal.KeyPair;

/**
 * A live subscription of a {@link SignalingBackend}. Thread-safe; closing is idempotent.
 */
public interface Subscription extends AutoCloseable {

    /** The keys this subscription opens envelopes with: (recipient = ours, sender = theirs or wildcard). */
    KeyPair keys();

    /**
     * Completes once messages published from now on will reach this subscription: for a gRPC
     * server, after its empty marker envelope. Completes exceptionally if the backend is
     * closed before that; stays completed across reconnects.
     */
    CompletableFuture<Void> subscribed();

    /** Stops delivery to this subscription's handler. */
    @Override
    void close();
}
