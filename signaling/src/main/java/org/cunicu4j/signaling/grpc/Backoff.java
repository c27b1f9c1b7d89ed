package org.cunicu4j.signaling.grpc;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the n-th delay is {@code min(max, initial * multiplier^n)}
 * scaled by a random factor in {@code [1 - jitter, 1 + jitter]} (and never above {@code max}).
 * Not thread-safe: one per retrying activity. {@link Policy} is the public part; the
 * counter itself is internal to this package.
 */
public final class Backoff {

    /** 0.5 s, doubling, up to 30 s, plus or minus 20 %. */
    public static final Policy DEFAULT = new Policy(Duration.ofMillis(500), 2.0, Duration.ofSeconds(30), 0.2);

    /**
     * The shape of a backoff.
     *
     * @param initial the first delay
     * @param multiplier the growth per attempt, at least 1
     * @param max the cap
     * @param jitter the relative spread, 0 to 1
     */
    public record Policy(Duration initial, double multiplier, Duration max, double jitter) {
        public Policy {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
            }
            if (multiplier < 1 || jitter < 0 || jitter > 1) {
                throw new IllegalArgumentException("need multiplier >= 1 and 0 <= jitter <= 1");
            }
        }
    }

    private final Policy policy;
    private final RandomGenerator random;
    private double nextNanos;

    Backoff(Policy policy, RandomGenerator random) {
        this.policy = policy;
        this.random = random;
        reset();
    }

    /** The delay before the next attempt; grows the one after. */
    Duration next() {
        double base = nextNanos;
        nextNanos = Math.min(policy.max().toNanos(), nextNanos * policy.multiplier());
        double factor = 1 + policy.jitter() * (2 * random.nextDouble() - 1);
        return Duration.ofNanos((long) Math.min(policy.max().toNanos(), base * factor));
    }

    /** Starts over from the initial delay (after a success). */
    void reset() {
        nextNanos = policy.initial().toNanos();
    }
}
