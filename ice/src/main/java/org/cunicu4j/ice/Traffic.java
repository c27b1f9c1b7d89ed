package org.cunicu4j.ice;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Mutable counters of one candidate or pair, updated by readers, senders and the agent
 * without a lock (each field on its own); {@link #snapshot()} reads them into a
 * {@link TrafficStats}. Allocation-free on update.
 */
final class Traffic {
    private final AtomicLong packetsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong packetsReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong requestsSent = new AtomicLong();
    private final AtomicLong requestsReceived = new AtomicLong();
    private final AtomicLong responsesSent = new AtomicLong();
    private final AtomicLong responsesReceived = new AtomicLong();
    private volatile long lastPacketSent;
    private volatile long lastPacketReceived;
    private volatile long lastRequestSent;
    private volatile long lastRequestReceived;
    private volatile long lastResponseSent;
    private volatile long lastResponseReceived;

    void sent(int bytes, long now) {
        packetsSent.incrementAndGet();
        bytesSent.addAndGet(bytes);
        lastPacketSent = now;
    }

    void sentMany(long packets, long bytes, long now) {
        packetsSent.addAndGet(packets);
        bytesSent.addAndGet(bytes);
        lastPacketSent = now;
    }

    void received(int bytes, long now) {
        packetsReceived.incrementAndGet();
        bytesReceived.addAndGet(bytes);
        lastPacketReceived = now;
    }

    void requestSent(int bytes, long now) {
        sent(bytes, now);
        requestsSent.incrementAndGet();
        lastRequestSent = now;
    }

    void requestReceived(int bytes, long now) {
        received(bytes, now);
        requestsReceived.incrementAndGet();
        lastRequestReceived = now;
    }

    void responseSent(int bytes, long now) {
        sent(bytes, now);
        responsesSent.incrementAndGet();
        lastResponseSent = now;
    }

    void responseReceived(int bytes, long now) {
        received(bytes, now);
        responsesReceived.incrementAndGet();
        lastResponseReceived = now;
    }

    long lastPacketSent() {
        return lastPacketSent;
    }

    TrafficStats snapshot() {
        return new TrafficStats(packetsSent.get(), bytesSent.get(), packetsReceived.get(), bytesReceived.get(),
                requestsSent.get(), requestsReceived.get(), responsesSent.get(), responsesReceived.get(),
                lastPacketSent, lastPacketReceived, lastRequestSent, lastRequestReceived, lastResponseSent,
                lastResponseReceived);
    }
}
