package org.cunicu4j.wireguard.noise;

import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;
import org.cunicu4j.wireguard.replay.ReplayWindow;

/**
 * The symmetric keys of one completed handshake: a send key with its counter, a receive key
 * with its replay window, the two indices and when it was made. Immutable except the
 * send counter (atomic) and the replay window (guarded by the window's own lock).
 */
public final class Keypair {
    public final SecretKey sendKey;
    public final SecretKey receiveKey;
    public final boolean initiator;
    public final long createdNanos;
    public final int localIndex;
    public final int remoteIndex;
    private final AtomicLong sendCounter = new AtomicLong();
    private final ReplayWindow window = new ReplayWindow();

    Keypair(SecretKey sendKey, SecretKey receiveKey, boolean initiator, long createdNanos, int localIndex, int remoteIndex) {
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
        this.initiator = initiator;
        this.createdNanos = createdNanos;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
    }

    /** The next send counter (the first is 0). */
    public long nextSendCounter() {
        return sendCounter.getAndIncrement();
    }

    /** The counter the next message would use. */
    public long sendCounter() {
        return sendCounter.get();
    }

    /** Checks and records a received counter; one of {@link ReplayWindow}'s results. */
    public int checkReceived(long counter, long limit) {
        synchronized (window) {
            return window.check(counter, limit);
        }
    }

    @Override
    public String toString() {
        return "Keypair[local " + Integer.toUnsignedString(localIndex) + ", remote " + Integer.toUnsignedString(remoteIndex)
                + (initiator ? ", initiator]" : ", responder]");
    }
}
