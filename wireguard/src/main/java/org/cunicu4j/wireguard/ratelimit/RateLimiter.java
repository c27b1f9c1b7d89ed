package org.cunicu4j.wireguard.ratelimit;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A token bucket per source IP address for handshake messages (as wireguard-go's
 * {@code ratelimiter}): {@link #PACKETS_PER_SECOND} on average, bursts of
 * {@link #BURST}. IPv6 sources are keyed by their /64 (one host owns at least that much, so
 * it cannot get a fresh bucket per address). Entries idle for a second are swept; the table
 * holds at most {@code maxEntries} addresses: while it is full, a new address is refused
 * (rate limited), known ones go on as before.
 *
 * <p>Thread-safe (one lock; handshake path only, which allocates a key per call).
 */
public final class RateLimiter {
    public static final int PACKETS_PER_SECOND = 20;
    public static final int BURST = 5;
    private static final long PACKET_COST = 1_000_000_000L / PACKETS_PER_SECOND;
    private static final long MAX_TOKENS = PACKET_COST * BURST;
    private static final long SWEEP_AFTER = 1_000_000_000L;
    /** Default table size (the kernel's largest). */
    public static final int DEFAULT_MAX_ENTRIES = 8192;

    private final Map<Addr, Bucket> buckets = new HashMap<>();
    private final int maxEntries;
    private long lastSweep;

    public RateLimiter() {
        this(DEFAULT_MAX_ENTRIES);
    }

    /** A limiter tracking at most {@code maxEntries} addresses (or IPv6 /64s). */
    public RateLimiter(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries " + maxEntries + " must be at least 1");
        }
        this.maxEntries = maxEntries;
    }

    private record Addr(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Addr a && Arrays.equals(bytes, a.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    private static final class Bucket {
        long tokens;
        long lastTime;
    }

    /**
     * True when a message from address {@code ip[0..len)} (4 bytes IPv4, 16 IPv6: its first 8
     * count) may be processed at monotonic time {@code now}.
     */
    public synchronized boolean allow(byte[] ip, int len, long now) {
        if (now - lastSweep > SWEEP_AFTER) {
            for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
                if (now - it.next().lastTime > SWEEP_AFTER) {
                    it.remove();
                }
            }
            lastSweep = now;
        }
        Addr key = new Addr(Arrays.copyOf(ip, len == 16 ? 8 : len));
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= maxEntries) {
                return false;
            }
            b = new Bucket();
            b.tokens = MAX_TOKENS - PACKET_COST;
            b.lastTime = now;
            buckets.put(key, b);
            return true;
        }
        b.tokens = Math.min(MAX_TOKENS, b.tokens + (now - b.lastTime));
        b.lastTime = now;
        if (b.tokens >= PACKET_COST) {
            b.tokens -= PACKET_COST;
            return true;
        }
        return false;
    }

    /** Number of addresses tracked (for tests). */
    public synchronized int size() {
        return buckets.size();
    }
}
