package org.cunicu4j.ice;

import java.net.InetSocketAddress;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.TransactionId;

/** One outstanding binding request of the agent: a connectivity check or a consent request. Guarded by the agent's lock. */
final class Transaction {
    enum Kind { CHECK, CONSENT }

    final TransactionId id;
    final CheckPair pair;
    final Kind kind;
    final boolean useCandidate;
    final IceRole roleSent;
    /** The remote password's key the request was signed with: its response must verify with it. */
    final byte[] key;
    final byte[] bytes;
    final PacketConn base;
    final InetSocketAddress to;
    final long prflxPriority;
    long rto;
    long lastSent;
    long deadline;
    int transmissions;

    Transaction(TransactionId id, CheckPair pair, Kind kind, boolean useCandidate, IceRole roleSent, byte[] key,
            byte[] bytes, long prflxPriority, long rto) {
        this.id = id;
        this.pair = pair;
        this.kind = kind;
        this.useCandidate = useCandidate;
        this.roleSent = roleSent;
        this.key = key;
        this.bytes = bytes;
        this.base = pair.local.base;
        this.to = pair.remote.candidate.address();
        this.prflxPriority = prflxPriority;
        this.rto = rto;
    }
}
