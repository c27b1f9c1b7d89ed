package org.cunicu4j.ice;

/** A candidate pair's state in the check list (RFC 8445 §6.1.2.6). */
public enum CandidatePairState {
    FROZEN,
    WAITING,
    IN_PROGRESS,
    SUCCEEDED,
    FAILED
}
