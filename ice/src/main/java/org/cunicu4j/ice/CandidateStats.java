package org.cunicu4j.ice;

/** One local or remote candidate with its counters at one moment. Immutable. */
public record CandidateStats(Candidate candidate, boolean local, TrafficStats traffic) {}
