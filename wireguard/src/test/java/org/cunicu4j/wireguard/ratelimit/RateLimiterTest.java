package org.cunicu4j.wireguard.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};

    @Test
    void burstThenSteadyRatePerAddress() {
        RateLimiter r = new RateLimiter();
        long t = 1_000_000_000L;
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (r.allow(A, 4, t)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(RateLimiter.BURST);
        assertThat(r.allow(B, 4, t)).as("another address has its own bucket").isTrue();
        // one packet's worth of time later, one more
        t += 1_000_000_000L / RateLimiter.PACKETS_PER_SECOND;
        assertThat(r.allow(A, 4, t)).isTrue();
        assertThat(r.allow(A, 4, t)).isFalse();
        // a second at the steady rate: about PACKETS_PER_SECOND
        allowed = 0;
        for (int ms = 0; ms < 1000; ms++) {
            if (r.allow(A, 4, t + ms * 1_000_000L)) {
                allowed++;
            }
        }
        assertThat(allowed).isBetween(RateLimiter.PACKETS_PER_SECOND - 1, RateLimiter.PACKETS_PER_SECOND + 1);
    }

    @Test
    void idleEntriesAreSwept() {
        RateLimiter r = new RateLimiter();
        r.allow(A, 4, 1_000_000_000L);
        r.allow(B, 4, 1_000_000_000L);
        assertThat(r.size()).isEqualTo(2);
        r.allow(A, 4, 3_000_000_000L);
        assertThat(r.size()).isEqualTo(1);
    }

    private static byte[] v6(int prefixByte, int lastByte) {
        byte[] a = new byte[16];
        a[0] = (byte) 0x20;
        a[1] = 0x01;
        a[7] = (byte) prefixByte;
        a[15] = (byte) lastByte;
        return a;
    }

    /** Addresses of one IPv6 /64 share a bucket: one host cannot get a fresh burst per address. */
    @Test
    void ipv6IsKeyedByItsSlash64() {
        RateLimiter r = new RateLimiter();
        long t = 1_000_000_000L;
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (r.allow(v6(1, i), 16, t)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(RateLimiter.BURST);
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.allow(v6(2, 0), 16, t)).as("another /64 has its own bucket").isTrue();
        assertThat(r.size()).isEqualTo(2);
    }

    /** A full table refuses new addresses (counted as rate limited by the device); known ones go on; a sweep frees it. */
    @Test
    void fullTableRefusesNewAddresses() {
        RateLimiter r = new RateLimiter(3);
        long t = 1_000_000_000L;
        for (int i = 1; i <= 3; i++) {
            assertThat(r.allow(new byte[] {10, 0, 0, (byte) i}, 4, t)).isTrue();
        }
        assertThat(r.allow(new byte[] {10, 0, 0, 4}, 4, t)).as("table full").isFalse();
        assertThat(r.allow(v6(9, 9), 16, t)).as("table full").isFalse();
        assertThat(r.size()).isEqualTo(3);
        assertThat(r.allow(new byte[] {10, 0, 0, 1}, 4, t)).as("known address").isTrue();
        assertThat(r.allow(new byte[] {10, 0, 0, 4}, 4, t + 3_000_000_000L)).as("after the sweep").isTrue();
        assertThat(new RateLimiter().allow(new byte[] {10, 0, 0, 4}, 4, t)).isTrue();
    }
}
