package org.cunicu4j.wireguard.device;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The protocol timers of one peer (whitepaper §6, wireguard-go {@code timers.go}): one
 * method per event the data path reports, one {@code expired...} method per timer. A timer
 * is a deadline on the device's monotonic clock (0: not pending); setting one is a volatile
 * write, so the data path never allocates or locks for it. The device's ticker calls
 * {@link #tick} for every peer.
 */
final class PeerTimers {
    private final Peer peer;
    private final Device device;

    private volatile long retransmitHandshake;
    private volatile long sendKeepalive;
    private volatile long newHandshake;
    private volatile long zeroKeyMaterial;
    private volatile long persistentKeepalive;

    volatile int handshakeAttempts;
    volatile boolean needAnotherKeepalive;
    volatile boolean sentLastMinuteHandshake;

    PeerTimers(Peer peer, Device device) {
        this.peer = peer;
        this.device = device;
    }

    private long now() {
        return device.clock.nanos();
    }

    private static long deadline(long now, long delay) {
        long d = now + delay;
        return d == 0 ? 1 : d;
    }

    // ---- events from the data path ----

    /** A data packet (not a keepalive) was sent. */
    void dataSent(long now) {
        if (newHandshake == 0) {
            newHandshake = deadline(now, device.timing.keepaliveTimeout().toNanos() + device.timing.rekeyTimeout().toNanos());
        }
    }

    /** A data packet (not a keepalive) was received. */
    void dataReceived(long now) {
        if (sendKeepalive == 0) {
            sendKeepalive = deadline(now, device.timing.keepaliveTimeout().toNanos());
        } else {
            needAnotherKeepalive = true;
        }
    }

    /** Any authenticated packet (data, keepalive, handshake) was sent. */
    void anyAuthenticatedPacketSent() {
        sendKeepalive = 0;
    }

    /** Any authenticated packet was received. */
    void anyAuthenticatedPacketReceived() {
        newHandshake = 0;
    }

    /** An initiation was sent. */
    void handshakeInitiated(long now) {
        long jitter = ThreadLocalRandom.current().nextLong(334_000_000L);
        retransmitHandshake = deadline(now, device.timing.rekeyTimeout().toNanos() + jitter);
    }

    /** A handshake completed (initiator: response consumed; responder: first data on the new keypair). */
    void handshakeComplete() {
        retransmitHandshake = 0;
        handshakeAttempts = 0;
        sentLastMinuteHandshake = false;
        peer.lastHandshake = device.clock.now();
    }

    /** A keypair was derived. */
    void sessionDerived(long now) {
        zeroKeyMaterial = deadline(now, device.timing.rejectAfterTime().toNanos() * 3);
    }

    /** Any authenticated packet went in or out. */
    void anyAuthenticatedPacketTraversal(long now) {
        int ka = peer.persistentKeepaliveSeconds;
        if (ka > 0) {
            persistentKeepalive = deadline(now, ka * 1_000_000_000L);
        }
    }

    /** Stops every timer (peer removed or device closed). */
    void stop() {
        retransmitHandshake = 0;
        sendKeepalive = 0;
        newHandshake = 0;
        zeroKeyMaterial = 0;
        persistentKeepalive = 0;
    }

    // ---- expiry ----

    /** Runs every timer that is due (ticker thread). */
    void tick(SendContext ctx) {
        long now = now();
        long d;
        if ((d = retransmitHandshake) != 0 && now - d >= 0) {
            retransmitHandshake = 0;
            expiredRetransmitHandshake(ctx, now);
        }
        if ((d = sendKeepalive) != 0 && now - d >= 0) {
            sendKeepalive = 0;
            expiredSendKeepalive(ctx, now);
        }
        if ((d = newHandshake) != 0 && now - d >= 0) {
            newHandshake = 0;
            device.sendInitiation(peer, ctx, false);
        }
        if ((d = zeroKeyMaterial) != 0 && now - d >= 0) {
            zeroKeyMaterial = 0;
            device.zeroKeyMaterial(peer);
        }
        if ((d = persistentKeepalive) != 0 && now - d >= 0) {
            persistentKeepalive = 0;
            if (peer.persistentKeepaliveSeconds > 0) {
                device.sendKeepalive(peer, ctx);
            }
        }
    }

    private void expiredRetransmitHandshake(SendContext ctx, long now) {
        if (handshakeAttempts >= device.timing.maxHandshakeAttempts()) {
            // give up: drop what waited for the handshake and forget the keys later
            sendKeepalive = 0;
            device.dropStaged(peer);
            if (zeroKeyMaterial == 0) {
                zeroKeyMaterial = deadline(now, device.timing.rejectAfterTime().toNanos() * 3);
            }
            return;
        }
        handshakeAttempts++;
        device.sendInitiation(peer, ctx, true);
    }

    private void expiredSendKeepalive(SendContext ctx, long now) {
        device.sendKeepalive(peer, ctx);
        if (needAnotherKeepalive) {
            needAnotherKeepalive = false;
            sendKeepalive = deadline(now, device.timing.keepaliveTimeout().toNanos());
        }
    }

    // ---- for tests ----

    boolean retransmitPending() {
        return retransmitHandshake != 0;
    }

    boolean zeroKeyMaterialPending() {
        return zeroKeyMaterial != 0;
    }
}
