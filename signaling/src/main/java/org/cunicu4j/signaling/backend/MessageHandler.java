package org.cunicu4j.signaling.backend;

import org.cunicu4j.signaling.seal.OpenResult.Opened;

/**
 * Receives the opened messages of a subscription.
 *
 * <p>Called on a backend thread, one message at a time per subscription; it should return
 * quickly (hand work to its own executor). An exception it throws is logged and counted by
 * the backend, and does not end the subscription.
 */
@FunctionalInterface
public interface MessageHandler {

    /** A message that authenticated from {@code opened.sender()} to this subscription. */
    void onMessage(Opened opened);
}
