package org.cunicu4j.ice;

/**
 * Finds local candidates for one agent: host, server-reflexive or relay (peer-reflexive
 * ones the agent learns itself). Gathering is asynchronous: a gatherer reports each
 * candidate as soon as it has it (this is what trickle ICE sends on), then completion.
 */
public interface Gatherer extends AutoCloseable {

    /** Where a gatherer reports; may be called from any thread. */
    interface Sink {
        void candidate(LocalCandidate candidate);

        /** One source failed (a STUN server not answering, a TURN allocation refused); gathering goes on. */
        void failed(String source, Exception cause);

        /** This gatherer will report nothing more. Called exactly once. */
        void done();
    }

    /**
     * Starts gathering for the agent whose local username fragment is {@code localUfrag}
     * (a gatherer over a shared port registers it there) and returns at once.
     *
     * <p>The agent calls this again after an ICE restart, with the agent's new ufrag: the
     * gatherer then reports its candidates again (it may reuse the same bases; a gatherer
     * over a shared port re-registers the agent under the new ufrag). Candidates may be
     * reported on the calling thread.
     */
    void gather(String localUfrag, int component, Sink sink);

    /** Releases what this gatherer opened (sockets, allocations). Idempotent. */
    @Override
    void close();
}
