package org.cunicu4j.ice;

import java.time.Duration;

/**
 * One candidate pair with its state and counters at one moment. Immutable.
 *
 * @param currentRtt the last round trip measured by a check or consent request (null before any)
 * @param totalRtt the sum of all measured round trips (divide by {@code rttSamples} for the mean)
 */
public record CandidatePairStats(
        Candidate local,
        Candidate remote,
        long priority,
        CandidatePairState state,
        boolean valid,
        boolean nominated,
        boolean selected,
        TrafficStats traffic,
        Duration currentRtt,
        Duration totalRtt,
        long rttSamples) {}
