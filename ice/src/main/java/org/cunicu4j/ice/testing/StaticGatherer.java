package org.cunicu4j.ice.testing;

import java.util.List;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;

/**
 * A {@link Gatherer} that reports the candidates it was given, at once, on the calling
 * thread, then done. Each call to {@link #gather} reports them again (as after a restart).
 * It does not own the bases: {@link #close()} leaves them open unless asked to close them
 * (an agent's readers end only when their bases close). Immutable and thread-safe.
 */
public final class StaticGatherer implements Gatherer {

    private final List<LocalCandidate> candidates;
    private final boolean closeBases;

    public StaticGatherer(List<LocalCandidate> candidates) {
        this(candidates, false);
    }

    public StaticGatherer(List<LocalCandidate> candidates, boolean closeBases) {
        this.candidates = List.copyOf(candidates);
        this.closeBases = closeBases;
    }

    @Override
    public void gather(String localUfrag, int component, Sink sink) {
        for (LocalCandidate c : candidates) {
            sink.candidate(c);
        }
        sink.done();
    }

    @Override
    public void close() {
        if (closeBases) {
            candidates.forEach(c -> c.base().close());
        }
    }
}
