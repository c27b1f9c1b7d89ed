package org.cunicu4j.proxy.raw;

import java.util.Arrays;

/**
 * What one {@link RawUdpConn} saw: datagrams the filter let through, those handed on to the
 * mux, those sent, and the drops by {@link RawDrop} reason. An immutable snapshot.
 */
public record RawConnStats(long received, long delivered, long sent, long[] drops) {
    public RawConnStats {
        drops = drops.clone();
    }

    /** Drops for {@code reason}. */
    public long dropped(RawDrop reason) {
        return drops[reason.ordinal()];
    }

    /**
     * Drops of what was received and found wanting (malformed input and the like: everything
     * before {@link RawDrop#WRONG_FAMILY}), except {@link RawDrop#STALE_PORT}: what was still
     * queued for the previous listen port is no fault of the input.
     */
    public long receiveDrops() {
        long n = 0;
        for (RawDrop r : RawDrop.values()) {
            if (r.ordinal() < RawDrop.WRONG_FAMILY.ordinal() && r != RawDrop.STALE_PORT) {
                n += drops[r.ordinal()];
            }
        }
        return n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RawConnStats[received=").append(received).append(", delivered=")
                .append(delivered).append(", sent=").append(sent);
        for (RawDrop r : RawDrop.values()) {
            if (drops[r.ordinal()] != 0) {
                sb.append(", ").append(r.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(drops[r.ordinal()]);
            }
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawConnStats s && s.received == received && s.delivered == delivered && s.sent == sent
                && Arrays.equals(s.drops, drops);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(received) * 31 + Arrays.hashCode(drops);
    }
}
