package org.cunicu4j.daemon.epdisc;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When to send our credentials again while the remote's have not arrived: 0.5 s, then ×1.5
 * per attempt, each delay jittered uniformly by ±50 %, never more than 1 min (the cap
 * applies after jitter). Not thread-safe: owned by one session and used on its executor.
 */
public final class CredentialsBackoff {

    /** The first delay before jitter. */
    public static final Duration INITIAL = Duration.ofMillis(500);
    /** The growth factor per attempt. */
    public static final double FACTOR = 1.5;
    /** The jitter: each delay is drawn from [d × (1 − J), d × (1 + J)]. */
    public static final double JITTER = 0.5;
    /** The longest delay. */
    public static final Duration MAX = Duration.ofMinutes(1);

    private final RandomGenerator random;
    private double nominalNanos = INITIAL.toNanos();

    public CredentialsBackoff(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The delay before the next send; each call moves one attempt on. */
    public Duration next() {
        double base = Math.min(nominalNanos, MAX.toNanos());
        double jittered = base * (1 - JITTER + 2 * JITTER * random.nextDouble());
        nominalNanos = Math.min(nominalNanos * FACTOR, MAX.toNanos());
        return Duration.ofNanos(Math.min((long) jittered, MAX.toNanos()));
    }

    /** Back to the first delay (after a restart). */
    public void reset() {
        nominalNanos = INITIAL.toNanos();
    }
}
