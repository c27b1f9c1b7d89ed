package org.cunicu4j.stun.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.cunicu4j.stun.StunMessage;

/**
 * The response that ended a STUN transaction (success or error class).
 *
 * @param message the response, over a private copy of its bytes
 * @param from where it came from (over UDP it may differ from where the request went,
 *     e.g. after CHANGE-REQUEST); the server on a stream
 * @param rtt from the first request to the response (so it includes retransmission waits
 *     when {@code requests > 1})
 * @param requests how many requests were sent (1 on streams)
 */
public record StunResponse(StunMessage message, InetSocketAddress from, Duration rtt, int requests) {
    /** True for a success response. */
    public boolean isSuccess() {
        return message.messageClass() == org.cunicu4j.stun.StunClass.SUCCESS_RESPONSE;
    }
}
