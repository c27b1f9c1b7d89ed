package org.cunicu4j.ice;

/**
 * Counters of one candidate or pair at one moment. Immutable. Timestamps are in the
 * agent's {@link IceScheduler#nanoTime()} scale; 0 means never.
 *
 * @param packetsSent data packets and STUN messages sent
 * @param requestsSent binding requests sent (checks, retransmissions, consent)
 * @param responsesReceived binding responses (success or error) received
 */
public record TrafficStats(
        long packetsSent,
        long bytesSent,
        long packetsReceived,
        long bytesReceived,
        long requestsSent,
        long requestsReceived,
        long responsesSent,
        long responsesReceived,
        long lastPacketSentNanos,
        long lastPacketReceivedNanos,
        long lastRequestSentNanos,
        long lastRequestReceivedNanos,
        long lastResponseSentNanos,
        long lastResponseReceivedNanos) {}
