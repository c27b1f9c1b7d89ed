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
}
