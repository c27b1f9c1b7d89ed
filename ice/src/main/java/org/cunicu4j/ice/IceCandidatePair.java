package org.cunicu4j.ice;

import java.util.Objects;

/** A local and a remote candidate, as in the selected pair. Immutable. */
public record IceCandidatePair(Candidate local, Candidate remote) {
    public IceCandidatePair {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
    }

    /** The type of the pair as status output shows it, e.g. {@code host-srflx}. */
    public String typeName() {
        return local.type().sdpName() + "-" + remote.type().sdpName();
    }

    @Override
    public String toString() {
        return local.address() + " (" + local.type().sdpName() + ") <-> " + remote.address() + " ("
                + remote.type().sdpName() + ")";
    }
}
