package org.cunicu4j.ice.gather;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;

/**
 * Several gatherers as one: {@link #gather} starts each in order (host before
 * server-reflexive, which waits for the host bases), passes their candidates and failures
 * through, and calls {@code done} once, after every part has called its own (a second
 * {@code done} from a misbehaving part is ignored; a part whose {@code gather} throws is
 * reported as failed and counted done). Thread-safe; {@link #close()} closes every part.
 */
public final class CompositeGatherer implements Gatherer {
    private final List<Gatherer> parts;

    public CompositeGatherer(List<? extends Gatherer> parts) {
        this.parts = List.copyOf(parts);
    }

    public static CompositeGatherer of(Gatherer... parts) {
        return new CompositeGatherer(List.of(parts));
    }

    public List<Gatherer> parts() {
        return parts;
    }

    @Override
    public void gather(String localUfrag, int component, Sink sink) {
        Objects.requireNonNull(sink, "sink");
        if (parts.isEmpty()) {
            sink.done();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(parts.size());
        for (Gatherer g : parts) {
            AtomicBoolean partDone = new AtomicBoolean();
            Sink part = new Sink() {
                @Override
                public void candidate(LocalCandidate candidate) {
                    sink.candidate(candidate);
                }

                @Override
                public void failed(String source, Exception cause) {
                    sink.failed(source, cause);
                }

                @Override
                public void done() {
                    if (partDone.compareAndSet(false, true) && remaining.decrementAndGet() == 0) {
                        sink.done();
                    }
                }
            };
            try {
                g.gather(localUfrag, component, part);
            } catch (RuntimeException e) {
                sink.failed(g.getClass().getSimpleName(), e);
                part.done();
            }
        }
    }

    @Override
    public void close() {
        for (Gatherer g : parts) {
            try {
                g.close();
            } catch (RuntimeException e) {
                // best effort: close the others
            }
        }
    }
}
