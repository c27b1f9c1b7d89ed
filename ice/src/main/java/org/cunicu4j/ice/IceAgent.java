package org.cunicu4j.ice;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.cunicu4j.net.PacketBatch;

/**
 * An ICE agent (RFC 8445 with trickle, RFC 8838, and consent freshness, RFC 7675) for one
 * session with one peer: API skeleton, implementation follows.
 */
public final class IceAgent implements AutoCloseable {

    private IceAgent() {}

    /** A new agent in state NEW with random credentials and tie-breaker; nothing runs until {@link #gather()} or {@link #start()}. */
    public static IceAgent create(IceConfig config, IceRole role, List<Gatherer> gatherers) {
        throw new UnsupportedOperationException("skeleton");
    }

    public IceCredentials localCredentials() { throw new UnsupportedOperationException("skeleton"); }
    public IceRole role() { throw new UnsupportedOperationException("skeleton"); }
    public long tieBreaker() { throw new UnsupportedOperationException("skeleton"); }
    public IceState state() { throw new UnsupportedOperationException("skeleton"); }
    public void addListener(IceListener listener) { throw new UnsupportedOperationException("skeleton"); }
    /** Starts the gatherers; each local candidate goes to the listeners as found, then localCandidatesDone. */
    public void gather() { throw new UnsupportedOperationException("skeleton"); }
    public List<Candidate> localCandidates() { throw new UnsupportedOperationException("skeleton"); }
    public void setRemoteCredentials(IceCredentials remote) { throw new UnsupportedOperationException("skeleton"); }
    public void addRemoteCandidate(Candidate candidate) { throw new UnsupportedOperationException("skeleton"); }
    public void endOfRemoteCandidates() { throw new UnsupportedOperationException("skeleton"); }
    /** Begins connectivity checks: NEW → CHECKING. */
    public void start() { throw new UnsupportedOperationException("skeleton"); }
    public Optional<IceCandidatePair> selectedPair() { throw new UnsupportedOperationException("skeleton"); }
    public IceConnection connection() { throw new UnsupportedOperationException("skeleton"); }
    public void restart() { throw new UnsupportedOperationException("skeleton"); }
    public List<CandidateStats> candidateStats() { throw new UnsupportedOperationException("skeleton"); }
    public List<CandidatePairStats> pairStats() { throw new UnsupportedOperationException("skeleton"); }
    public IceCounters counters() { throw new UnsupportedOperationException("skeleton"); }
    @Override
    public void close() { throw new UnsupportedOperationException("skeleton"); }

    int sendData(PacketBatch batch) { throw new UnsupportedOperationException("skeleton"); }
    InetSocketAddress dataLocalAddress() { throw new UnsupportedOperationException("skeleton"); }
    InetSocketAddress dataRemoteAddress() { throw new UnsupportedOperationException("skeleton"); }
}
