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
 * @param rtt from the last transmission of the request to the response; when
 *     {@code requests > 1} the response may answer an earlier one, so the sample is
 *     ambiguous (Karn's algorithm would discard it): see {@link #rttAmbiguous()}
 * @param requests how many requests were sent (1 on streams)
 */
public record StunResponse(StunMessage message, InetSocketAddress from, Duration rtt, int requests) {
    /** True when the request was retransmitted, so {@link #rtt()} may be too short. */
    public boolean rttAmbiguous() {
        return requests > 1;
    }

    /** True for a success response. */
    public boolean isSuccess() {
        return message.messageClass() == org.cunicu4j.stun.StunClass.SUCCESS_RESPONSE;
    }
}
