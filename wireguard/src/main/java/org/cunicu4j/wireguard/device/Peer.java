package org.cunicu4j.wireguard.device;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.Endpoint;
import org.cunicu4j.wireguard.noise.CookieGenerator;
import org.cunicu4j.wireguard.noise.Handshake;
import org.cunicu4j.wireguard.noise.Keypair;

/**
 * One peer of a {@link Device}: its handshake, its keypairs (previous, current, next), its
 * endpoint, counters, timers and the packets staged while a handshake is under way.
 *
 * <p>Threading: the data path reads {@link #current}, {@link #next} and {@link #endpoint}
 * without locks (volatile); keypair rotation holds {@link #keypairLock}; the control path
 * changes settings under the device's control lock.
 */
final class Peer {
    static final int MAX_STAGED = 128;

    final Key publicKey;
    final Handshake handshake;
    final CookieGenerator cookieGenerator;
    final PeerTimers timers;

    final Object keypairLock = new Object();
    volatile Keypair previous;
    volatile Keypair current;
    volatile Keypair next;

    volatile Endpoint endpoint;
    volatile Key presharedKey;
    volatile int persistentKeepaliveSeconds;
    volatile boolean removed;

    final LongAdder rxBytes = new LongAdder();
    final LongAdder txBytes = new LongAdder();
    volatile Instant lastHandshake;

    /** Handshake send bookkeeping, under {@link #handshake}'s lock... kept simple: under this peer's lock. */
    long lastSentHandshake;
    /**
     * A crossed initiation of this peer was dropped since the last completed handshake
     * (guarded by this): the next one is answered even if ours is outstanding, in case ours
     * are the ones lost (a path that works one way only).
     */
    boolean droppedCrossing;

    private final ArrayDeque<byte[]> staged = new ArrayDeque<>();

    Peer(Key publicKey, Device device) {
        this.publicKey = publicKey;
        this.handshake = new Handshake(publicKey);
        this.cookieGenerator = new CookieGenerator(publicKey, device.timing.cookieRefreshTime().toNanos());
        this.timers = new PeerTimers(this, device);
        this.lastSentHandshake = device.clock.nanos() - device.timing.rekeyTimeout().toNanos() - 1_000_000_000L;
    }

    /** Keeps a copy of a packet until a keypair exists; false (dropped) when the queue is full. */
    boolean stage(byte[] packet) {
        synchronized (staged) {
            if (staged.size() >= MAX_STAGED) {
                staged.pollFirst();
                staged.addLast(packet);
                return false;
            }
            staged.addLast(packet);
            return true;
        }
    }

    /** Takes every staged packet. */
    byte[][] drainStaged() {
        synchronized (staged) {
            byte[][] out = staged.toArray(new byte[0][]);
            staged.clear();
            return out;
        }
    }

    int stagedCount() {
        synchronized (staged) {
            return staged.size();
        }
    }

    @Override
    public String toString() {
        return "peer " + publicKey.toBase64().substring(0, 8);
    }
}
