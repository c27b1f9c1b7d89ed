package org.cunicu4j.ice;

import org.cunicu4j.net.PacketConn;

/** A local candidate the agent uses, with its base and counters. Guarded by the agent's lock (traffic: lock-free). */
final class LocalEntry {
    final Candidate candidate;
    final PacketConn base;
    final Traffic traffic = new Traffic();

    LocalEntry(Candidate candidate, PacketConn base) {
        this.candidate = candidate;
        this.base = base;
    }

    /** The local preference part of the priority (RFC 8445 §5.1.2.1), reused for a peer-reflexive priority. */
    int localPreference() {
        return (int) ((candidate.priority() >>> 8) & 0xFFFF);
    }
}
