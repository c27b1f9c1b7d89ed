package org.cunicu4j.wireguard.replay;

/**
 * A sliding window of received message counters (RFC 6479: a ring of 64-bit blocks, so
 * that a jump forward clears whole blocks instead of shifting bits). It accepts each
 * counter once, anywhere within {@link #WINDOW_SIZE} behind the highest counter seen, and
 * any counter ahead of it. Counters are unsigned 64-bit values.
 *
 * <p>Not thread-safe: the caller serializes {@link #check} (the device holds the keypair's
 * window lock). A fresh window accepts every counter below the limit.
 */
public final class ReplayWindow {
    private static final int BLOCK_BITS = 64;
    private static final int RING_BLOCKS = 128; // a power of two
    /** Counters this far behind the highest one are still accepted once. */
    public static final int WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS;

    /** {@link #check} results. */
    public static final int ACCEPTED = 0;
    public static final int REPLAYED = 1;
    public static final int TOO_OLD = 2;
    public static final int OVER_LIMIT = 3;

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    /**
     * Checks and records {@code counter}.
     *
     * @param limit counters at or above this (unsigned) are refused
     * @return {@link #ACCEPTED}, {@link #REPLAYED}, {@link #TOO_OLD} or {@link #OVER_LIMIT}
     */
    public int check(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return OVER_LIMIT;
        }
        long block = counter >>> 6;
        if (Long.compareUnsigned(counter, last) > 0) {
            long current = last >>> 6;
            long diff = block - current;
            if (Long.compareUnsigned(diff, RING_BLOCKS) > 0) {
                diff = RING_BLOCKS;
            }
            for (long i = 1; i <= diff; i++) {
                ring[(int) ((current + i) & (RING_BLOCKS - 1))] = 0;
            }
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
            return TOO_OLD;
        }
        int idx = (int) (block & (RING_BLOCKS - 1));
        long bit = 1L << (counter & 63);
        long old = ring[idx];
        if ((old & bit) != 0) {
            return REPLAYED;
        }
        ring[idx] = old | bit;
        return ACCEPTED;
    }

    /** Forgets every counter. */
    public void reset() {
        java.util.Arrays.fill(ring, 0);
        last = 0;
    }
}
