package org.cunicu4j.ice;

/**
 * What an agent reports. Every method has an empty default; implement those you need.
 *
 * <p>Threading: called on the agent's listener executor (never on a reader or timer
 * thread, and never with the agent's lock held), one call at a time, in the order the
 * events happened. A listener may call back into the agent; a slow one delays only
 * later notifications, not the checks.
 */
public interface IceListener {

    default void stateChanged(IceState from, IceState to) {}

    /** The selected pair changed; null after a restart cleared it. */
    default void selectedPairChanged(IceCandidatePair pair) {}

    /** A local candidate to send to the peer (trickle). Peer-reflexive ones are never reported. */
    default void localCandidate(Candidate candidate) {}

    /** Gathering is complete: send end-of-candidates to the peer. */
    default void localCandidatesDone() {}

    /** One gathering source failed (the rest goes on). */
    default void gatheringFailed(String source, Exception cause) {}
}
