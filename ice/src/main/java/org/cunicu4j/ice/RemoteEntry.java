package org.cunicu4j.ice;

/** A remote candidate (signalled or peer-reflexive) with its counters. Guarded by the agent's lock. */
final class RemoteEntry {
    Candidate candidate;
    final Traffic traffic = new Traffic();

    RemoteEntry(Candidate candidate) {
        this.candidate = candidate;
    }
}
